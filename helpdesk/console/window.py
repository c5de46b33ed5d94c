"""The 24-hour customer service window as the console shows and keeps it.

WhatsApp delivers free text (and media, buttons) only within 24 hours of the customer's
last message; after that only approved templates (``helpdesk.whatsapp.templates``), and
anything else fails with 131047. The ticket page shows whether the window is open and when
it closes; once it has closed the reply box offers the approved templates, and ``reply``
refuses free text (``WindowClosed``, HTTP 409) instead of "sending" what would never
arrive. ``send_template`` sends the one the agent picked and keeps it on the ticket; a
template's variables are filled from the ticket (``from: customer_name`` / ``case_id``)
or typed by the agent, and checked as Meta checks them before anything is sent.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.console.schemas import ReplyAnswer
from helpdesk.console.service import in_session, keep_reply, reply_target
from helpdesk.db.models import InboxMessage
from helpdesk.db.models.status import Delivery
from helpdesk.errors import TemplateNotApproved, TemplateParametersInvalid
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


def ticket_values(session: Session, *, ticket_id: int) -> dict[str, str]:
    """What the console fills template variables from: the customer's WhatsApp profile
    name (else their username) and the case number."""
    ticket = core.get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        return {}
    name = ""
    newest = session.execute(
        select(InboxMessage.body)
        .where(InboxMessage.sender_id == ticket.sender_id)
        .order_by(InboxMessage.id.desc())
        .limit(1)
    ).scalar()
    if newest:
        try:
            body = json.loads(newest)
        except ValueError:
            body = {}
        for key in ("profile_name", "username"):  # untrusted: only a short plain string
            if isinstance(body.get(key), str) and body[key].strip():
                name = body[key].strip()
                break
    return {"customer_name": name, "case_id": str(ticket.id)}


def offered(language: str | None, values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The approved templates for the reply box: name, title, the customer's wording and
    each variable's label, length limit and the value the ticket gives it."""
    values = values or {}
    return [
        {
            "name": t.name,
            "title": t.title,
            "text": t.preview(language),
            "parameters": [
                {
                    "label": p.label,
                    "max_length": p.max_length,
                    "value": values.get(p.source or "", "")[: p.max_length],
                }
                for p in t.parameters
            ],
        }
        for t in templates.catalogue()
    ]


def ticket_window(session: Session, *, ticket_id: int) -> dict[str, Any]:
    """What ``GET /api/tickets/{id}/window`` answers."""
    ticket = core.get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        return {}
    found = window_of(session, sender_id=ticket.sender_id)
    values = ticket_values(session, ticket_id=ticket_id)
    return {**found.as_json(), "templates": offered(ticket.language, values)}


def _values(
    chosen: templates.ApprovedTemplate, typed: list[str] | None, ticket: dict[str, str]
) -> list[str]:
    """The agent's values, where given, else what the ticket says (``from:``)."""
    typed = list(typed or [])
    if len(typed) > len(chosen.parameters):
        raise TemplateParametersInvalid(
            f"template {chosen.name!r} takes {len(chosen.parameters)} value(s), got {len(typed)}"
        )
    values = []
    for index, parameter in enumerate(chosen.parameters):
        value = typed[index] if index < len(typed) else ""
        if not str(value).strip() and parameter.source:
            # As the reply box shows it: a long profile name is cut, not refused.
            value = ticket.get(parameter.source, "")[: parameter.max_length]
        values.append(str(value))
    return chosen.checked(values)


async def send_template(
    state: Any,
    *,
    ticket_id: int,
    agent_id: int | None,
    name: str,
    parameters: list[str] | None = None,
    origin: str = "console",
) -> ReplyAnswer:
    """Send the approved template ``name`` to the ticket's customer (inside or outside the
    window) and keep it on the ticket as the agent's reply (``delivery="template"``).
    ``parameters`` are the values of {{1}}, {{2}}…; an empty or missing one is filled from
    the ticket where the template says so. Nothing is sent when one is refused."""
    chosen = templates.approved(name)
    if chosen is None:
        raise TemplateNotApproved(f"{name!r} is not an approved template")
    url = state.database_url
    sender_id, language = await asyncio.to_thread(
        in_session, url, reply_target, ticket_id=ticket_id
    )
    known = await asyncio.to_thread(in_session, url, ticket_values, ticket_id=ticket_id)
    values = _values(chosen, parameters, known)
    body = payloads.template_message(
        sender_id,
        chosen.name,
        language=chosen.language_for(language),
        components=chosen.body_components(values),
    )
    wamid = await state.sender.send(sender_id, body)
    delivery = Delivery.TEMPLATE if wamid else Delivery.FAILED
    text = f"[Template: {chosen.title}] {chosen.preview(language, values)}".strip()
    return await keep_reply(
        state,
        ticket_id=ticket_id,
        text=text,
        agent_id=agent_id,
        origin=origin,
        delivery=delivery,
        note=f"Approved template sent on WhatsApp from the helpdesk console ({delivery}):\n{text}",
    )
