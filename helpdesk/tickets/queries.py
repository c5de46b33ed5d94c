"""Finding tickets: by id, the customer's active one, the queue's lists and waits, a
ticket's lines, and a customer's own media among ids a caller names.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from helpdesk.db.models import MediaRecord, Ticket, TicketMessage
from helpdesk.db.models.status import ACTIVE, TicketStatus
from helpdesk.errors import TicketingError


def customer_media(
    session: Session, *, sender_id: str, media_ids: Sequence[int]
) -> list[MediaRecord]:
    """The customer's own media among ``media_ids`` (someone else's id is ignored)."""
    if not media_ids:
        return []
    return list(
        session.execute(
            select(MediaRecord)
            .where(MediaRecord.id.in_(list(media_ids)), MediaRecord.sender_id == sender_id)
            .order_by(MediaRecord.id)
        ).scalars()
    )


def get_ticket(session: Session, *, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def require_ticket(session: Session, *, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketingError(f"no ticket #{ticket_id}", hint="It was erased or never existed.")
    return ticket


def active_ticket_for(session: Session, *, sender_id: str) -> Ticket | None:
    """The ticket whose agent has the conversation (the bot stays paused while one exists)."""
    return session.execute(
        select(Ticket)
        .where(Ticket.sender_id == sender_id, Ticket.status.in_(ACTIVE))
        .order_by(Ticket.id.desc())
    ).scalar()


def has_active_ticket(session: Session, *, sender_id: str) -> bool:
    """Whether a person has the conversation (``active_ticket_for``, without loading it:
    asked before every WhatsApp message reaches the bot)."""
    return session.execute(_ACTIVE_TICKET, {"sender_id": sender_id}).first() is not None


_ACTIVE_TICKET = text(
    "SELECT 1 FROM tickets WHERE sender_id = :sender_id AND status IN ("
    + ", ".join(f"'{status.value}'" for status in ACTIVE)
    + ") LIMIT 1"
)


def list_tickets(
    session: Session,
    *,
    status: str | None = None,
    queue: str | None = None,
    priority: str | None = None,
    assignee_id: int | None = None,
    limit: int = 200,
) -> list[Ticket]:
    """Newest first; ``status="active"`` means waiting_for_agent or with_agent."""
    query = select(Ticket)
    if status == "active":
        query = query.where(Ticket.status.in_(ACTIVE))
    elif status:
        query = query.where(Ticket.status == status)
    if queue:
        query = query.where(Ticket.queue == queue)
    if priority:
        query = query.where(Ticket.priority == priority)
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    return list(session.execute(query.order_by(Ticket.id.desc()).limit(limit)).scalars())


def queue_position(session: Session, *, ticket: Ticket) -> int:
    """1 for the first waiting ticket of its queue."""
    ahead = session.execute(
        select(Ticket.id).where(
            Ticket.queue == ticket.queue,
            Ticket.status == TicketStatus.WAITING_FOR_AGENT,
            Ticket.id < ticket.id,
        )
    ).all()
    return len(ahead) + 1


def typical_wait_minutes(session: Session, *, queue: str, sample: int = 50) -> int | None:
    """Median minutes from handoff to the first agent reply over the queue's last
    ``sample`` answered tickets; ``None`` with fewer than 5 (no honest estimate yet)."""
    rows = session.execute(
        select(Ticket.opened_at, Ticket.first_reply_at)
        .where(Ticket.queue == queue, Ticket.first_reply_at.is_not(None))
        .order_by(Ticket.id.desc())
        .limit(sample)
    ).all()
    if len(rows) < 5:
        return None
    waits = sorted((reply - opened).total_seconds() for opened, reply in rows)
    return max(1, round(waits[len(waits) // 2] / 60))


def messages(session: Session, *, ticket_id: int) -> list[TicketMessage]:
    return list(
        session.execute(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.created_at, TicketMessage.id)
        ).scalars()
    )
