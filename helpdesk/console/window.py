"""The 24-hour customer service window as the console shows and keeps it.

WhatsApp delivers free text (and media, buttons) only within 24 hours of the customer's
last message; after that only approved templates (``helpdesk.whatsapp.templates``), and
anything else fails with 131047. The ticket page shows whether the window is open and when
it closes; once it has closed the reply box offers the approved templates, and ``reply``
refuses free text (``WindowClosed``, HTTP 409) instead of "sending" what would never
arrive. ``send_template`` sends the one the agent picked and keeps it on the ticket.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.console.schemas import ReplyAnswer
from helpdesk.console.service import in_session, keep_reply, reply_target
from helpdesk.db.models.status import Delivery
from helpdesk.errors import TemplateNotApproved
from helpdesk.tickets import core
from helpdesk.whatsapp import payloads, templates
from helpdesk.whatsapp.outbound import WINDOW_SECONDS
from helpdesk.whatsapp.records import last_inbound_timestamp


@dataclass(frozen=True)
class Window:
    """``open`` until ``closes_at`` (UTC); ``closes_at`` is None when the customer never
    wrote to this number (the window was never open)."""

    open: bool
    closes_at: datetime | None
    seconds_left: int

    def as_json(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
            "seconds_left": self.seconds_left,
        }


def window_of(session: Session, *, sender_id: str, now: float | None = None) -> Window:
    last = last_inbound_timestamp(session, sender_id=sender_id)
    if last is None:
        return Window(open=False, closes_at=None, seconds_left=0)
    closes = last + WINDOW_SECONDS
    left = int(closes - (time.time() if now is None else now))
    return Window(
        open=left > 0,
        closes_at=datetime.fromtimestamp(closes, tz=timezone.utc),
        seconds_left=max(left, 0),
    )


def offered(language: str | None) -> list[dict[str, str]]:
    """The approved templates for the reply box: name, title and the customer's wording."""
    return [
        {"name": t.name, "title": t.title, "text": t.preview(language)}
        for t in templates.catalogue()
    ]


def ticket_window(session: Session, *, ticket_id: int) -> dict[str, Any]:
    """What ``GET /api/tickets/{id}/window`` answers."""
    ticket = core.get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        return {}
    found = window_of(session, sender_id=ticket.sender_id)
    return {**found.as_json(), "templates": offered(ticket.language)}


async def send_template(
    state: Any, *, ticket_id: int, agent_id: int | None, name: str, origin: str = "console"
) -> ReplyAnswer:
    """Send the approved template ``name`` to the ticket's customer (inside or outside the
    window) and keep it on the ticket as the agent's reply (``delivery="template"``)."""
    chosen = templates.approved(name)
    if chosen is None:
        raise TemplateNotApproved(f"{name!r} is not an approved template")
    url = state.database_url
    sender_id, language = await asyncio.to_thread(
        in_session, url, reply_target, ticket_id=ticket_id
    )
    body = payloads.template_message(sender_id, chosen.name, language=chosen.language_for(language))
    wamid = await state.sender.send(sender_id, body)
    delivery = Delivery.TEMPLATE if wamid else Delivery.FAILED
    text = f"[Template: {chosen.title}] {chosen.preview(language)}".strip()
    return await keep_reply(
        state,
        ticket_id=ticket_id,
        text=text,
        agent_id=agent_id,
        origin=origin,
        delivery=delivery,
        note=f"Approved template sent on WhatsApp from the helpdesk console ({delivery}):\n{text}",
    )
