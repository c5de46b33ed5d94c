"""Ticket lifecycle in the database: open, relay lines, assign, note, close, hand back, erase.

Statuses (``helpdesk.db.models.status.TicketStatus``): ``waiting_for_agent`` (handed off, in
the queue, the bot is paused) → ``with_agent`` (an agent took it or replied) → ``resolved``
(closed by an agent, the bot resumes and asks for the score) or ``closed`` (cancelled by the
customer, or closed without a resolution). ``open`` is a case the bot handles again after a
hand back; a later handoff of the same customer reopens that ticket instead of creating
another one.

These functions only touch the database; the external backend (Zendesk, Freshdesk) is
mirrored by ``helpdesk.tickets.handoff`` and the WhatsApp side by ``helpdesk.tickets.relay``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from helpdesk import audit
from helpdesk.audit import AuditAction
from helpdesk.db.models import Agent, MediaRecord, MediaView, Ticket, TicketMessage
from helpdesk.db.models.base import utcnow
from helpdesk.db.models.status import ACTIVE, FINISHED, Delivery, HandoffReason, TicketStatus
from helpdesk.errors import TicketingError
from helpdesk.media.authenticity.case import FRAUD_QUEUE, review_case
from helpdesk.outcomes import record_resolution
from helpdesk.tickets.summary import build_summary

logger = logging.getLogger(__name__)

PRIORITIES = ("low", "normal", "high", "urgent")
TRIGGERS = ("customer_request", "triage", "capture_failed")


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _naive_utc(value)
    if isinstance(value, int | float):
        return datetime.utcfromtimestamp(value)
    if isinstance(value, str) and value:
        return _when(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return utcnow()


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def open_ticket(
    session: Session,
    *,
    sender_id: str,
    use_case: str,
    queue: str,
    priority: str = "normal",
    summary: str = "",
    transcript: Iterable[dict[str, Any]] = (),
    media_ids: Sequence[int] = (),
    fields: Sequence[dict[str, Any]] = (),
    kb_matches: Sequence[dict[str, Any]] = (),
    trigger: str = "customer_request",
    fixes: Sequence[dict[str, Any]] = (),
    flags: Sequence[str] = (),
    language: str = "en",
    reason: str | None = None,
) -> Ticket:
    """Hand a case to the agents; returns the ticket (the customer's active one if any).

    ``summary``: what the customer said, in a sentence (the ten-second summary is built
    from it plus the media analyses, ``fields``, ``fixes`` and ``flags``).
    ``transcript``: ``{"who": "customer"|"bot", "when": datetime|epoch|ISO, "text": ...,
    "media_id": ...}`` in order. ``fields``: ``{"type", "value"}`` (e.g. from the media
    analyses). ``kb_matches``: ``{"id", "title", "score"}``. ``fixes``: ``{"fix",
    "outcome"}``. ``trigger``: customer_request, triage or capture_failed. ``reason``: a
    ``HandoffReason`` (the dashboard's handoff reasons); derived from ``trigger`` and the
    queue when the caller does not know better.
    """
    if priority not in PRIORITIES:
        raise TicketingError(f"unknown priority {priority!r}", hint=f"Use one of {PRIORITIES}.")
    existing = session.execute(
        select(Ticket)
        .where(Ticket.sender_id == sender_id, Ticket.status.in_((*ACTIVE, TicketStatus.OPEN)))
        .order_by(Ticket.id.desc())
    ).scalar()
    media = _media(session, sender_id=sender_id, media_ids=media_ids)
    transcript = list(transcript)
    said = "\n".join(e.get("text") or "" for e in transcript if e.get("who") == "customer")
    said = said or summary
    review = review_case(session, sender_id=sender_id, media=media, said=said, confirmed=fields)
    flags = [*flags, *review.flags]
    if review.strong:  # a person on the fraud queue decides; the customer is told nothing
        queue = FRAUD_QUEUE
    why = handoff_reason(trigger=trigger, queue=queue, given=reason)
    text = build_summary(
        sender_id=sender_id,
        use_case=use_case,
        trigger=trigger,
        said=summary,
        media=media,
        fields=list(fields),
        fixes=list(fixes),
        flags=list(flags),
        kb_matches=list(kb_matches),
    )
    if existing is not None:
        ticket = existing
        if ticket.status == TicketStatus.OPEN:
            ticket.status = TicketStatus.WAITING_FOR_AGENT
            ticket.handoffs = (ticket.handoffs or 1) + 1
            _system(session, ticket, f"Handed off again ({trigger}).")
        ticket.handoff_reason = why
        ticket.summary = text
        ticket.media_ids = sorted({*(ticket.media_ids or []), *[m.id for m in media]})
        ticket.fields = _merge(ticket.fields, fields)
        ticket.kb_matches = list(kb_matches) or ticket.kb_matches
        ticket.fixes = list(fixes) or ticket.fixes
        ticket.flags = sorted({*(ticket.flags or []), *flags})
        ticket.queue = FRAUD_QUEUE if review.strong else ticket.queue
    else:
        ticket = Ticket(
            sender_id=sender_id,
            use_case=use_case,
            queue=queue,
            priority=priority,
            status=TicketStatus.WAITING_FOR_AGENT,
            trigger=trigger if trigger in TRIGGERS else "customer_request",
            handoff_reason=why,
            handoffs=1,
            language=language if language in ("en", "es") else "en",
            summary=text,
            fields=list(fields),
            kb_matches=list(kb_matches),
            fixes=list(fixes),
            flags=list(flags),
            media_ids=[m.id for m in media],
            backend="builtin",
        )
        session.add(ticket)
        session.flush()
    transcript = list(transcript)
    named = [e.get("media_id") for e in transcript if isinstance(e.get("media_id"), int)]
    own = {m.id for m in _media(session, sender_id=sender_id, media_ids=named)}
    for entry in transcript:
        who = entry.get("who") if entry.get("who") in ("customer", "bot") else "bot"
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                author=who,
                text=entry.get("text"),
                media_id=entry.get("media_id") if entry.get("media_id") in own else None,
                origin="bot",
                created_at=_when(entry.get("when")),
            )
        )
    session.flush()
    return ticket


def handoff_reason(*, trigger: str, queue: str, given: str | None = None) -> str:
    """The ``HandoffReason`` of a handoff: ``given`` when it is one, else from the trigger
    (triage onto the fraud queue is safety or fraud; any other triage handoff found
    nothing that helped)."""
    if given in {r.value for r in HandoffReason}:
        return str(HandoffReason(given))
    if trigger == "capture_failed":
        return str(HandoffReason.CAPTURE_FAILED)
    if trigger == "triage":
        fraud = queue == FRAUD_QUEUE
        return str(HandoffReason.SAFETY_OR_FRAUD if fraud else HandoffReason.NOTHING_FOUND)
    return str(HandoffReason.CUSTOMER_ASKED)


def _merge(old: list | None, new: Sequence[dict[str, Any]]) -> list:
    seen = {(f.get("type"), f.get("value")) for f in old or []}
    return [*(old or []), *[f for f in new if (f.get("type"), f.get("value")) not in seen]]


def _media(session: Session, *, sender_id: str, media_ids: Sequence[int]) -> list[MediaRecord]:
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


def _system(session: Session, ticket: Ticket, text: str, *, agent_id: int | None = None) -> None:
    session.add(TicketMessage(ticket_id=ticket.id, author="system", text=text, agent_id=agent_id))


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
    if media_id is not None and not _media(session, sender_id=sender_id, media_ids=[media_id]):
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
        created_at=_when(when),
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
    _system(
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
    _system(
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
    _system(session, ticket, "Handed back to the bot.", agent_id=agent_id)
    session.flush()
    return ticket


def cancel_ticket(session: Session, *, sender_id: str) -> Ticket | None:
    """The customer withdrew the request; ``None`` if nothing was waiting."""
    ticket = active_ticket_for(session, sender_id=sender_id)
    if ticket is None:
        return None
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = utcnow()
    _system(session, ticket, "Cancelled by the customer.")
    session.flush()
    return ticket


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
