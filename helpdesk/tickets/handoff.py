"""The calls the Rasa side makes (each in its own transaction), with the external mirror.

    from helpdesk.tickets.handoff import hand_off, customer_message, cancel

    result = hand_off(sender_id=..., use_case="damaged_product", queue="returns",
                      priority="normal", summary="The jar arrived cracked",
                      transcript=[...], media_ids=[3, 4], fields=[...], kb_matches=[...],
                      fixes=[...], trigger="triage", language="en")
    result.ticket_id, result.notice      # the text to send the customer (number, wait, hours)

    if customer_message(sender_id=..., text="hello?", media_id=None):
        ...                              # an agent has the case: the bot stays quiet

These are synchronous (database + HTTP to Zendesk/Freshdesk); from async code call them in
``asyncio.to_thread``. When the external service refuses or is down the case stays in
the console queue with the error shown on the ticket; nothing the customer sent is lost.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from helpdesk.db import session_scope
from helpdesk.db.models import MediaRecord, Ticket
from helpdesk.db.models.status import TicketStatus
from helpdesk.errors import HelpdeskError, TicketingError
from helpdesk.store import get_media_store
from helpdesk.tickets.backends import Attachment, External, TicketData, get_backend
from helpdesk.tickets.hours import handoff_notice
from helpdesk.tickets.lines import add_system_line, record_customer_message
from helpdesk.tickets.opening import open_ticket
from helpdesk.tickets.queries import queue_position, require_ticket, typical_wait_minutes
from helpdesk.tickets.transitions import cancel_ticket

logger = logging.getLogger(__name__)

# Zendesk allows 50 MB per upload, Freshdesk 20 MB per ticket: stay under both.
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024


@dataclass(frozen=True)
class HandoffResult:
    ticket_id: int
    status: TicketStatus
    position: int
    notice: str
    external_id: str | None = None
    external_error: str | None = None


def hand_off(*, url: str | None = None, backend: Any = None, **ticket: Any) -> HandoffResult:
    """``open_ticket(**ticket)`` committed, mirrored externally, plus the notice text."""
    with session_scope(url) as session:
        opened = open_ticket(session, **ticket)
        ticket_id, language = opened.id, opened.language
        position = queue_position(session, ticket=opened)
        wait = typical_wait_minutes(session, queue=opened.queue)
        needs_push = opened.external_id is None
    external_id = error = None
    if needs_push:
        external_id, error = push_new_ticket(ticket_id=ticket_id, url=url, backend=backend)
    with session_scope(url) as session:
        status = TicketStatus(require_ticket(session, ticket_id=ticket_id).status)
    return HandoffResult(
        ticket_id=ticket_id,
        status=status,
        position=position,
        notice=handoff_notice(
            ticket_id=ticket_id, position=position, language=language, wait_minutes=wait
        ),
        external_id=external_id,
        external_error=error,
    )


def customer_message(
    *,
    sender_id: str,
    text: str | None = None,
    media_id: int | None = None,
    when: Any = None,
    url: str | None = None,
    backend: Any = None,
) -> bool:
    """Relay what the customer sent to the ticket an agent has; False if none is active."""
    with session_scope(url) as session:
        line = record_customer_message(
            session, sender_id=sender_id, text=text, media_id=media_id, when=when
        )
        if line is None:
            return False
        ticket = require_ticket(session, ticket_id=line.ticket_id)
        external = _external(ticket)
        ticket_id = ticket.id
    if external is not None:
        try:
            chosen = backend or get_backend()
            if chosen is not None:
                chosen.comment(external, text or "", _attachments(url, [media_id]))
        except HelpdeskError as error:
            _note_error(url, ticket_id, error)
    return True


def cancel(*, sender_id: str, url: str | None = None, backend: Any = None) -> int | None:
    """The customer withdrew the request: the ticket id that was closed, or None."""
    with session_scope(url) as session:
        ticket = cancel_ticket(session, sender_id=sender_id)
        if ticket is None:
            return None
        ticket_id = ticket.id
    push_close(
        ticket_id=ticket_id,
        note="The customer cancelled the request on WhatsApp.",
        url=url,
        backend=backend,
    )
    return ticket_id


def push_note(*, ticket_id: int, text: str, url: str | None = None, backend: Any = None) -> bool:
    """Copy what happened here (e.g. an agent's reply sent from the console) to the mirrored
    ticket as a private note; False if there is none or it failed (shown on the ticket)."""
    return _mirror(ticket_id, url, backend, lambda chosen, ext: chosen.note(ext, text))


def push_close(*, ticket_id: int, note: str, url: str | None = None, backend: Any = None) -> bool:
    """Solve the mirrored ticket in Zendesk/Freshdesk; False if there is none or it failed
    (the failure is shown on the ticket; the local case is closed either way)."""
    return _mirror(ticket_id, url, backend, lambda chosen, ext: chosen.solve(ext, note))


def _mirror(
    ticket_id: int, url: str | None, backend: Any, call: Callable[[Any, External], Any]
) -> bool:
    """Apply ``call(backend, external)`` to the mirrored ticket, recording any failure."""
    with session_scope(url) as session:
        external = _external(require_ticket(session, ticket_id=ticket_id))
    if external is None:
        return False
    try:
        chosen = backend or get_backend()
        if chosen is None:
            return False
        call(chosen, external)
    except HelpdeskError as error:
        _note_error(url, ticket_id, error)
        return False
    return True


def _external(ticket: Ticket) -> External | None:
    if ticket.backend == "builtin" or not ticket.external_id:
        return None
    return External(ticket.external_id, ticket.external_requester_id)


def _attachments(url: str | None, media_ids: list[int | None]) -> list[Attachment]:
    found: list[Attachment] = []
    ids = [m for m in media_ids if m is not None]
    if not ids:
        return found
    with session_scope(url) as session:
        records = [session.get(MediaRecord, m) for m in ids]
        rows = [(r.id, r.sha256, r.mime, r.kind, r.size) for r in records if r is not None]
    store = get_media_store()
    for media_id, sha256, mime, kind, size in rows:
        if size > MAX_ATTACHMENT_BYTES:
            logger.warning("media %s is too large to attach (%d bytes)", media_id, size)
            continue
        extension = mimetypes.guess_extension(mime) or ""
        found.append(Attachment(f"{kind}-{media_id}{extension}", store.get(sha256), mime))
    return found


def push_new_ticket(
    *, ticket_id: int, url: str | None = None, backend: Any = None
) -> tuple[str | None, str | None]:
    """Create the ticket in Zendesk/Freshdesk; ``(external_id, error)``. Safe to call again
    for a ticket whose first push failed."""
    try:
        chosen = backend or get_backend()
    except HelpdeskError as error:
        _note_error(url, ticket_id, error)
        return None, str(error)
    if chosen is None:
        return None, None
    with session_scope(url) as session:
        ticket = require_ticket(session, ticket_id=ticket_id)
        data = TicketData(
            id=ticket.id,
            sender_id=ticket.sender_id,
            subject=f"WhatsApp #{ticket.id}: {ticket.use_case.replace('_', ' ')}",
            summary=ticket.summary,
            priority=ticket.priority,
            queue=ticket.queue,
            use_case=ticket.use_case,
            language=ticket.language,
        )
        media_ids = list(ticket.media_ids or [])
    try:
        external = chosen.create(data, _attachments(url, media_ids))
    except HelpdeskError as error:
        _note_error(url, ticket_id, error)
        return None, str(error)
    with session_scope(url) as session:
        ticket = require_ticket(session, ticket_id=ticket_id)
        ticket.backend = chosen.name.lower()
        ticket.external_id = external.ticket_id
        ticket.external_requester_id = external.requester_id
        ticket.external_error = None
        add_system_line(session, ticket, f"Created in {chosen.name} as #{external.ticket_id}.")
    return external.ticket_id, None


def _note_error(url: str | None, ticket_id: int, error: Exception) -> None:
    logger.error("Ticket #%s: external ticketing failed: %s", ticket_id, error)
    with session_scope(url) as session:
        ticket = require_ticket(session, ticket_id=ticket_id)
        ticket.external_error = str(error)[:2000]
        add_system_line(session, ticket, f"External ticketing failed: {error}")


def erase_external(session: Any, *, sender_id: str, backend: Any = None) -> int:
    """Erasure step (before the local tickets go): the customer's tickets in Zendesk or
    Freshdesk and their requester there, deleted for good; returns how many went.

    A refusal raises ``TicketingError``: the whole erasure then rolls back and the customer
    hears that it failed, never "done" while their data is still out there.
    """
    from sqlalchemy import select

    tickets = list(
        session.execute(
            select(Ticket)
            .where(Ticket.sender_id == sender_id, Ticket.external_id.is_not(None))
            .order_by(Ticket.id)
        ).scalars()
    )
    tickets = [t for t in tickets if t.backend != "builtin"]
    if not tickets:
        return 0
    chosen = backend or get_backend()
    last_of_requester = {t.external_requester_id: t.id for t in tickets}
    gone = 0
    for ticket in tickets:
        if chosen is None or chosen.name.lower() != ticket.backend:
            raise TicketingError(
                f"ticket #{ticket.id} is in {ticket.backend}, which is not the configured "
                "ticketing backend",
                hint=f"Configure {ticket.backend} again (HELPDESK_TICKETING and its "
                "credentials) and retry the erasure, or delete it there by hand.",
            )
        # The requester goes with their last ticket (Freshdesk's hard delete takes the
        # rest of their tickets along).
        requester = (
            ticket.external_requester_id
            if last_of_requester.get(ticket.external_requester_id) == ticket.id
            else None
        )
        gone += chosen.erase(External(ticket.external_id, requester))
    logger.info("Erased %d records in %s for one customer", gone, chosen.name)
    return gone


def find_by_external(session: Any, *, backend: str, external_id: str) -> Ticket | None:
    return session.execute(
        select(Ticket).where(Ticket.backend == backend, Ticket.external_id == str(external_id))
    ).scalar()


__all__ = [
    "HandoffResult",
    "TicketingError",
    "cancel",
    "customer_message",
    "erase_external",
    "find_by_external",
    "hand_off",
    "push_close",
    "push_new_ticket",
    "push_note",
]
