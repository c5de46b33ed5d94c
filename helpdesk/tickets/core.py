"""Ticket lifecycle in the database: open, relay lines, assign, note, close, hand back, erase.

Statuses (``helpdesk.db.models.status.TicketStatus``): ``waiting_for_agent`` (handed off, in
the queue, the bot is paused) → ``with_agent`` (an agent took it or replied) → ``resolved``
(closed by an agent, the bot resumes and asks for the score) or ``closed`` (cancelled by the
customer, or closed without a resolution). ``open`` is a case the bot handles again after a
hand back; a later handoff of the same customer reopens that ticket instead of creating
another one.

These functions only touch the database; the external backend (Zendesk, Freshdesk) is
mirrored by ``helpdesk.tickets.handoff`` and the WhatsApp side by ``helpdesk.tickets.relay``.
This module gathers them under one name for callers outside the package; each lives in the
module of its feature: ``opening`` (the handoff), ``queries`` (finding tickets), ``lines``
(the conversation's lines and notes), ``transitions`` (assign, close, hand back, cancel) and
``media_access`` (agents' access to media). The erasure step stays here: its name is the key
of an erasure report.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpdesk.db.models import MediaView, Ticket, TicketMessage
from helpdesk.tickets.lines import add_note, record_agent_reply, record_customer_message
from helpdesk.tickets.media_access import log_media_view, ticket_of_media
from helpdesk.tickets.opening import PRIORITIES, TRIGGERS, handoff_reason, open_ticket
from helpdesk.tickets.queries import (
    active_ticket_for,
    get_ticket,
    has_active_ticket,
    list_tickets,
    messages,
    queue_position,
    require_ticket,
    typical_wait_minutes,
)
from helpdesk.tickets.transitions import assign, cancel_ticket, close_ticket, hand_back

__all__ = [
    "PRIORITIES",
    "TRIGGERS",
    "active_ticket_for",
    "add_note",
    "assign",
    "cancel_ticket",
    "close_ticket",
    "erase",
    "get_ticket",
    "hand_back",
    "handoff_reason",
    "has_active_ticket",
    "list_tickets",
    "log_media_view",
    "messages",
    "open_ticket",
    "queue_position",
    "record_agent_reply",
    "record_customer_message",
    "require_ticket",
    "ticket_of_media",
    "typical_wait_minutes",
]


def erase(session: Session, *, sender_id: str) -> int:
    """Erasure step: the customer's tickets (their messages go with them) and view logs."""
    ids = list(session.execute(select(Ticket.id).where(Ticket.sender_id == sender_id)).scalars())
    deleted = 0
    if ids:
        deleted += (
            session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids))).rowcount
            or 0
        )
        deleted += session.execute(delete(Ticket).where(Ticket.id.in_(ids))).rowcount or 0
    deleted += (
        session.execute(delete(MediaView).where(MediaView.sender_id == sender_id)).rowcount or 0
    )
    return deleted
