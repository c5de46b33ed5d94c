"""Agents' access to a customer's media: which ticket holds it, and the log of each view."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import audit
from helpdesk.audit import AuditAction
from helpdesk.db.models import MediaRecord, MediaView, Ticket, TicketMessage


def ticket_of_media(session: Session, *, media: MediaRecord) -> int | None:
    """The ticket that holds ``media`` (handed off with the case, or sent or attached during
    it), newest first; ``None`` for media that never reached a ticket (agents may not open
    it). Only the customer's own tickets count."""
    line = session.execute(
        select(TicketMessage.ticket_id)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(TicketMessage.media_id == media.id, Ticket.sender_id == media.sender_id)
        .order_by(TicketMessage.ticket_id.desc())
        .limit(1)
    ).scalar()
    if line is not None:
        return int(line)
    for ticket in session.execute(
        select(Ticket).where(Ticket.sender_id == media.sender_id).order_by(Ticket.id.desc())
    ).scalars():
        if media.id in (ticket.media_ids or []):
            return ticket.id
    return None


def log_media_view(
    session: Session,
    *,
    agent_id: int | None,
    agent_name: str,
    media: MediaRecord,
    ticket_id: int | None = None,
) -> None:
    session.add(
        MediaView(
            agent_id=agent_id,
            agent_name=agent_name,
            media_id=media.id,
            sender_id=media.sender_id,
            ticket_id=ticket_id,
        )
    )
    audit.record(
        session,
        action=AuditAction.MEDIA_VIEW,
        actor=agent_name,
        actor_id=agent_id,
        target=f"media {media.id}",
        sender_id=media.sender_id,
        detail={"ticket": ticket_id} if ticket_id is not None else None,
    )
