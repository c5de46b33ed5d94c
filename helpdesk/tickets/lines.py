"""The lines of a ticket's conversation: what the customer sent while an agent has the
case, agents' replies, private notes and the system's own lines.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.db.models import Ticket, TicketMessage
from helpdesk.db.models.base import utcnow
from helpdesk.db.models.status import Delivery, TicketStatus
from helpdesk.tickets.queries import active_ticket_for, customer_media, require_ticket

logger = logging.getLogger(__name__)


def to_naive_utc(value: Any) -> datetime:
    """A transcript's time (datetime, epoch or ISO text) as naive UTC; now when missing."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _naive_utc(value)
    if isinstance(value, int | float):
        return datetime.utcfromtimestamp(value)
    if isinstance(value, str) and value:
        return to_naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return utcnow()


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def add_system_line(
    session: Session, ticket: Ticket, text: str, *, agent_id: int | None = None
) -> None:
    """A line of the system's own (handed off again, assigned, closed…) on the ticket."""
    session.add(TicketMessage(ticket_id=ticket.id, author="system", text=text, agent_id=agent_id))


def record_customer_message(
    session: Session,
    *,
    sender_id: str,
    text: str | None = None,
    media_id: int | None = None,
    when: Any = None,
) -> TicketMessage | None:
    """What the customer sent while an agent has the case; ``None`` if no ticket is active
    (then the bot handles the message as usual). Mirrored to Zendesk/Freshdesk by
    ``helpdesk.tickets.handoff.customer_message``, which calls this."""
    ticket = active_ticket_for(session, sender_id=sender_id)
    if ticket is None:
        return None
    if media_id is not None and not customer_media(
        session, sender_id=sender_id, media_ids=[media_id]
    ):
        logger.warning("Not attaching media %s: the customer did not send it", media_id)
        media_id = None
    if media_id is not None and media_id not in (ticket.media_ids or []):
        ticket.media_ids = [*(ticket.media_ids or []), media_id]
    line = TicketMessage(
        ticket_id=ticket.id,
        author="customer",
        text=text,
        media_id=media_id,
        origin="whatsapp",
        created_at=to_naive_utc(when),
    )
    session.add(line)
    ticket.updated_at = utcnow()
    session.flush()
    return line


def record_agent_reply(
    session: Session,
    *,
    ticket_id: int,
    text: str | None,
    agent_id: int | None,
    media_id: int | None = None,
    origin: str = "console",
    delivery: str = Delivery.SENT,
) -> TicketMessage:
    ticket = require_ticket(session, ticket_id=ticket_id)
    line = TicketMessage(
        ticket_id=ticket.id,
        author="agent",
        agent_id=agent_id,
        text=text,
        media_id=media_id,
        origin=origin,
        delivery=delivery,
    )
    session.add(line)
    if ticket.first_reply_at is None:
        ticket.first_reply_at = utcnow()
    if ticket.status in (TicketStatus.WAITING_FOR_AGENT, TicketStatus.OPEN):
        ticket.status = TicketStatus.WITH_AGENT
    if ticket.assignee_id is None and agent_id is not None:
        ticket.assignee_id = agent_id
    session.flush()
    return line


def add_note(session: Session, *, ticket_id: int, agent_id: int | None, text: str) -> TicketMessage:
    """A private note: shown to agents, never sent to the customer."""
    ticket = require_ticket(session, ticket_id=ticket_id)
    line = TicketMessage(ticket_id=ticket.id, author="note", agent_id=agent_id, text=text)
    session.add(line)
    session.flush()
    return line
