"""What the pages, the JSON API and the webhooks all do: list, show, reply, note, assign,
close, hand back.

Functions that only use the database take a ``Session`` (a route's ``DbSession``, or
``in_session`` from async code); ``reply``, ``close`` and ``hand_back`` are async: they
call WhatsApp or Rasa between short transactions of their own. Results are the API's
models (``schemas``), which the templates read as well."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy.orm import Session

from helpdesk.console.schemas import (
    AgentSummary,
    ClosedTicket,
    MediaSummary,
    MessageLine,
    NoteAnswer,
    ReplyAnswer,
    TicketDetail,
    TicketSummary,
)
from helpdesk.db import session_scope
from helpdesk.db.models import Agent, MediaRecord, Ticket
from helpdesk.db.models.status import ACTIVE
from helpdesk.errors import Conflict, MediaRejected, TicketingError, TicketNotFound, WindowClosed
from helpdesk.media.intake import sniff
from helpdesk.media.records import save_media
from helpdesk.settings import PROJECT_ROOT
from helpdesk.store import get_media_store
from helpdesk.store.sanitize import strip_metadata
from helpdesk.tickets import core, survey
from helpdesk.tickets.handoff import push_close, push_note
from helpdesk.tickets.relay import Outgoing, deliver, resume_bot
from helpdesk.whatsapp import identity

logger = logging.getLogger(__name__)

T = TypeVar("T")
CANNED_PATH = PROJECT_ROOT / "knowledge" / "canned_responses.yml"


def in_session(url: str | None, work: Callable[..., T], /, **kwargs: Any) -> T:
    """``work(session, **kwargs)`` in one transaction: what an async route hands to
    ``asyncio.to_thread`` when it cannot take the request's ``DbSession`` (it waits on
    WhatsApp or Rasa between transactions, or reads a form first)."""
    with session_scope(url) as session:
        return work(session, **kwargs)


def _require(session: Session, ticket_id: int) -> Ticket:
    """The ticket, or ``TicketNotFound`` (which the API answers with 404)."""
    ticket = core.get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        raise TicketNotFound(f"no ticket #{ticket_id}")
    return ticket


def _names(session: Session) -> dict[int, str]:
    return {a.id: a.username for a in session.query(Agent).all()}


def list_tickets(session: Session, *, filters: dict[str, Any]) -> list[TicketSummary]:
    names = _names(session)
    found = core.list_tickets(session, **filters)
    # Username / phone / BSUID of every customer listed, in one query.
    who = identity.profiles(session, keys={t.sender_id for t in found})
    return [
        TicketSummary.of(t, assignee=names.get(t.assignee_id), profile=who[t.sender_id])
        for t in found
    ]


def ticket_detail(session: Session, *, ticket_id: int) -> TicketDetail | None:
    ticket = core.get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        return None
    names = _names(session)
    lines = core.messages(session, ticket_id=ticket.id)
    media_ids = set(ticket.media_ids or []) | {m.media_id for m in lines if m.media_id}
    found = (session.get(MediaRecord, m) for m in sorted(media_ids))
    return TicketDetail.construct(
        **TicketSummary.fields_of(
            ticket,
            assignee=names.get(ticket.assignee_id),
            profile=identity.profiles(session, keys=[ticket.sender_id])[ticket.sender_id],
        ),
        fields=ticket.fields or [],
        kb_matches=ticket.kb_matches or [],
        fixes=ticket.fixes or [],
        flags=ticket.flags or [],
        media=[MediaSummary.of(m) for m in found if m is not None],
        messages=[MessageLine.of(m, names) for m in lines if m.author != "note"],
        notes=[MessageLine.of(m, names) for m in lines if m.author == "note"],
    )


def queues(session: Session) -> list[str]:
    return sorted({q for (q,) in session.query(Ticket.queue).distinct()})


def agents(session: Session) -> list[AgentSummary]:
    return [AgentSummary.of(a) for a in session.query(Agent).order_by(Agent.username)]


def agent_id_named(session: Session, *, username: str) -> int | None:
    return next((a.id for a in agents(session) if a.username == username), None)


def reply_target(session: Session, *, ticket_id: int) -> tuple[str, str]:
    ticket = _require(session, ticket_id)
    if ticket.status not in ACTIVE:
        raise Conflict(
            f"ticket #{ticket_id} is {ticket.status}",
            hint="Replies go out only while the agent has the case.",
        )
    return ticket.sender_id, ticket.language


def _store_upload(session: Session, *, sender_id: str, upload: Outgoing) -> int:
    found = sniff(upload.data)
    kind = found.kind if found else "document"
    stored = get_media_store().put(upload.data, mime=upload.mime)
    return save_media(
        session,
        sender_id=sender_id,
        sha256=stored.sha256,
        kind=kind,
        mime=upload.mime,
        size=stored.size,
        source="console",
        caption=upload.filename,
    ).id


# Replies typed in a mirrored Zendesk/Freshdesk ticket (their webhooks), not in the console.
EXTERNAL_ORIGINS = ("zendesk", "freshdesk")
SENDABLE = {"image/jpeg", "image/png", "video/mp4", "application/pdf"}
MAX_UPLOAD = 16 * 1024 * 1024  # Meta's video limit; images are refused above 5 MB by Meta


def checked_upload(data: bytes, filename: str) -> Outgoing:
    """The agent's file, typed by its bytes (never by the browser's claim), without its
    metadata: the customer gets (and the ticket keeps) the cleaned bytes, so a photo taken
    at the warehouse does not carry its location to the customer."""
    found = sniff(data)
    if found is None or found.mime not in SENDABLE:
        raise TicketingError(
            "the file is not a JPEG, PNG, MP4 or PDF",
            hint="Attach a photo, a video or a PDF document.",
        )
    if len(data) > MAX_UPLOAD or (found.kind == "image" and len(data) > 5 * 1024 * 1024):
        raise TicketingError("the file is too large for WhatsApp", hint="Send a smaller file.")
    name = Path(filename or "file").name[:100] or "file"
    try:
        clean = strip_metadata(data, found.mime)
    except MediaRejected as error:
        raise TicketingError(
            f"{name} could not be cleaned of its metadata (location, author), so it was not sent",
            hint="Open it and export it again (a screenshot or 'Save as PDF'), then attach "
            "the new file.",
        ) from error
    return Outgoing(data=clean, mime=found.mime, filename=name)


async def reply(
    state: Any,
    *,
    ticket_id: int,
    agent_id: int | None,
    text: str | None,
    upload: Outgoing | None = None,
    origin: str = "console",
) -> ReplyAnswer:
    """Send the agent's text (and file) to the customer and keep it on the ticket.

    Three short transactions around the WhatsApp call, so no database lock is held while
    Meta answers."""
    url = state.database_url
    text = (text or "").strip() or None
    if text is None and upload is None:
        raise TicketingError("the reply is empty", hint="Write a message or attach a file.")
    sender_id, language = await asyncio.to_thread(
        in_session, url, reply_target, ticket_id=ticket_id
    )
    if origin not in EXTERNAL_ORIGINS and not await state.sender.window_open(sender_id):
        # WhatsApp would refuse it (131047): the agent picks an approved template instead.
        # Replies typed in Zendesk/Freshdesk cannot offer that choice: there ``deliver``
        # sends the window template and keeps the text as not delivered.
        raise WindowClosed("the customer's 24-hour window is closed: free text is not sent")
    media_id = None
    if upload is not None:
        media_id = await asyncio.to_thread(
            in_session, url, _store_upload, sender_id=sender_id, upload=upload
        )
    delivery = await deliver(state.sender, sender_id, text=text, media=upload, language=language)
    note = None
    if origin not in EXTERNAL_ORIGINS:
        words = {"sent": "", "template": " (window closed: only the template went out)"}
        note = (
            f"Reply sent on WhatsApp from the helpdesk console"
            f"{words.get(delivery, f' ({delivery})')}:\n{text or '(file)'}"
        )
    return await keep_reply(
        state,
        ticket_id=ticket_id,
        text=text,
        agent_id=agent_id,
        media_id=media_id,
        origin=origin,
        delivery=delivery,
        note=note,
    )


async def keep_reply(
    state: Any,
    *,
    ticket_id: int,
    text: str | None,
    agent_id: int | None,
    origin: str,
    delivery: str,
    media_id: int | None = None,
    note: str | None = None,
) -> ReplyAnswer:
    """Keep what went to the customer on the ticket, count it, and copy ``note`` to a
    mirrored Zendesk/Freshdesk ticket (a no-op for builtin tickets)."""
    message = await asyncio.to_thread(
        in_session,
        state.database_url,
        core.record_agent_reply,
        ticket_id=ticket_id,
        text=text,
        agent_id=agent_id,
        media_id=media_id,
        origin=origin,
        delivery=delivery,
    )
    state.metrics.replies.labels(delivery=delivery).inc()
    if note is not None:
        await asyncio.to_thread(push_note, ticket_id=ticket_id, text=note, url=state.database_url)
    return ReplyAnswer.construct(id=message.id, delivery=delivery)


def _close(
    session: Session, *, ticket_id: int, agent_id: int | None, resolved: bool
) -> tuple[TicketSummary, bool, str, str]:
    before = _require(session, ticket_id).status
    ticket = core.close_ticket(session, ticket_id=ticket_id, agent_id=agent_id, resolved=resolved)
    return TicketSummary.of(ticket), before in ACTIVE, ticket.sender_id, ticket.language


async def close(
    state: Any,
    *,
    ticket_id: int,
    agent_id: int | None,
    resolved: bool = True,
    origin: str = "console",
) -> ClosedTicket:
    """Close the case; if it was open, tell a mirrored ticket and give the chat back to the
    bot (``bot_resumed`` is then set)."""
    ticket, changed, sender_id, language = await asyncio.to_thread(
        in_session,
        state.database_url,
        _close,
        ticket_id=ticket_id,
        agent_id=agent_id,
        resolved=resolved,
    )
    if changed and ticket.backend not in ("builtin", origin):
        who = "an agent in the helpdesk console"
        await asyncio.to_thread(
            push_close, ticket_id=ticket_id, note=f"Closed by {who}.", url=state.database_url
        )
    if not changed:
        return ClosedTicket.construct(**ticket.__dict__)
    # Outside the 24-hour window the survey can only go as an approved template.
    surveyed = await survey.ask_by_template(
        state.sender, sender_id, language=language, url=state.database_url
    )
    outcome = survey.SURVEY_SENT if surveyed else "closed"
    resumed = await resume_bot(sender_id, outcome=outcome, language=language)
    return ClosedTicket.construct(**ticket.__dict__, bot_resumed=resumed, survey_template=surveyed)


def _hand_back(
    session: Session, *, ticket_id: int, agent_id: int | None
) -> tuple[TicketSummary, str, str]:
    _require(session, ticket_id)
    ticket = core.hand_back(session, ticket_id=ticket_id, agent_id=agent_id)
    return TicketSummary.of(ticket), ticket.sender_id, ticket.language


async def hand_back(state: Any, *, ticket_id: int, agent_id: int | None) -> ClosedTicket:
    ticket, sender_id, language = await asyncio.to_thread(
        in_session, state.database_url, _hand_back, ticket_id=ticket_id, agent_id=agent_id
    )
    resumed = await resume_bot(sender_id, outcome="handed_back", language=language)
    return ClosedTicket.construct(**ticket.__dict__, bot_resumed=resumed)


def note(session: Session, *, ticket_id: int, agent_id: int, text: str) -> NoteAnswer:
    text = text.strip()
    if not text:
        raise TicketingError("the note is empty", hint="Write something.")
    _require(session, ticket_id)
    return NoteAnswer.construct(
        id=core.add_note(session, ticket_id=ticket_id, agent_id=agent_id, text=text).id
    )


def assign(session: Session, *, ticket_id: int, assignee_id: int | None, by: int) -> TicketSummary:
    _require(session, ticket_id)
    return TicketSummary.of(
        core.assign(session, ticket_id=ticket_id, agent_id=assignee_id, by_agent_id=by)
    )


@lru_cache(maxsize=4)
def _canned(path: str, mtime: float) -> list[dict[str, str]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [
        {"id": str(item["id"]), "title": str(item["title"]), **item.get("text", {})}
        for item in data.get("responses") or []
    ]


def canned_responses(path: Path = CANNED_PATH) -> list[dict[str, str]]:
    """``knowledge/canned_responses.yml`` (reloaded when edited); [] if it is missing."""
    try:
        return _canned(str(path), path.stat().st_mtime)
    except (OSError, KeyError, TypeError) as error:
        logger.warning("canned responses unavailable: %s", error)
        return []
