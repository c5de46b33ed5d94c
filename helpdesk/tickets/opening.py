"""Opening a ticket: the handoff of a case to the agents (or the reopening of the
customer's ticket after a hand back) and the handoff's reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.db.models import Ticket, TicketMessage
from helpdesk.db.models.status import ACTIVE, HandoffReason, TicketStatus
from helpdesk.errors import TicketingError
from helpdesk.media.authenticity.case import FRAUD_QUEUE, review_case
from helpdesk.tickets.lines import add_system_line, to_naive_utc
from helpdesk.tickets.queries import customer_media
from helpdesk.tickets.summary import build_summary

PRIORITIES = ("low", "normal", "high", "urgent")
TRIGGERS = ("customer_request", "triage", "capture_failed")


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
    media = customer_media(session, sender_id=sender_id, media_ids=media_ids)
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
            add_system_line(session, ticket, f"Handed off again ({trigger}).")
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
    own = {m.id for m in customer_media(session, sender_id=sender_id, media_ids=named)}
    for entry in transcript:
        who = entry.get("who") if entry.get("who") in ("customer", "bot") else "bot"
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                author=who,
                text=entry.get("text"),
                media_id=entry.get("media_id") if entry.get("media_id") in own else None,
                origin="bot",
                created_at=to_naive_utc(entry.get("when")),
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
