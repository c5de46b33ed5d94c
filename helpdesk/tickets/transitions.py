"""A ticket's status changes after the handoff: assign, close (resolved or not), hand back
to the bot, and the customer's cancel.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.db.models import Agent, Ticket
from helpdesk.db.models.base import utcnow
from helpdesk.db.models.status import ACTIVE, FINISHED, TicketStatus
from helpdesk.errors import TicketingError
from helpdesk.outcomes import record_resolution
from helpdesk.tickets.lines import add_system_line
from helpdesk.tickets.queries import active_ticket_for, require_ticket


def assign(
    session: Session, *, ticket_id: int, agent_id: int | None, by_agent_id: int | None = None
) -> Ticket:
    ticket = require_ticket(session, ticket_id=ticket_id)
    agent = session.get(Agent, agent_id) if agent_id is not None else None
    if agent_id is not None and agent is None:
        raise TicketingError(f"no agent #{agent_id}")
    ticket.assignee_id = agent_id
    if agent is not None and ticket.status == TicketStatus.WAITING_FOR_AGENT:
        ticket.status = TicketStatus.WITH_AGENT
    add_system_line(
        session,
        ticket,
        f"Assigned to {agent.username}." if agent else "Unassigned.",
        agent_id=by_agent_id,
    )
    session.flush()
    return ticket


def close_ticket(
    session: Session,
    *,
    ticket_id: int,
    agent_id: int | None = None,
    resolved: bool = True,
    reason: str = "",
) -> Ticket:
    """Close a case: ``resolved`` (the bot resumes and asks for a score) or ``closed``.

    Returns the ticket; the caller commits and then calls
    ``helpdesk.tickets.relay.resume_bot(ticket.sender_id, outcome="closed")``.
    Closing a closed ticket changes nothing (a webhook may repeat).
    """
    ticket = require_ticket(session, ticket_id=ticket_id)
    if ticket.status in FINISHED:
        return ticket
    now = utcnow()
    ticket.status = TicketStatus.RESOLVED if resolved else TicketStatus.CLOSED
    ticket.resolved_at = now if resolved else None
    ticket.closed_at = now
    if resolved:
        # The satisfaction score the customer gives next attaches to this outcome (the
        # customer's latest), so it counts for this ticket's queue and agent.
        record_resolution(
            session,
            sender_id=ticket.sender_id,
            use_case=ticket.use_case,
            resolved_by="agent",
            fixes_tried=len(ticket.fixes or []),
            ticket_id=ticket.id,
        )
    add_system_line(
        session,
        ticket,
        ("Resolved" if resolved else "Closed") + (f": {reason}" if reason else "."),
        agent_id=agent_id,
    )
    session.flush()
    return ticket


def hand_back(session: Session, *, ticket_id: int, agent_id: int | None = None) -> Ticket:
    """Give the conversation back to the bot without closing the case (status ``open``)."""
    ticket = require_ticket(session, ticket_id=ticket_id)
    if ticket.status not in ACTIVE:
        raise TicketingError(
            f"ticket #{ticket_id} is {ticket.status}",
            hint="Only an active case can be handed back.",
        )
    ticket.status = TicketStatus.OPEN
    add_system_line(session, ticket, "Handed back to the bot.", agent_id=agent_id)
    session.flush()
    return ticket


def cancel_ticket(session: Session, *, sender_id: str) -> Ticket | None:
    """The customer withdrew the request; ``None`` if nothing was waiting."""
    ticket = active_ticket_for(session, sender_id=sender_id)
    if ticket is None:
        return None
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = utcnow()
    add_system_line(session, ticket, "Cancelled by the customer.")
    session.flush()
    return ticket
