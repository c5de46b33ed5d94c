"""What the pages and the JSON API both do: list, show, reply, note, assign, close, hand
back — in threads for the database, async for WhatsApp and Rasa."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from helpdesk.db import session_scope
from helpdesk.db.models import Agent, MediaRecord, Ticket, TicketMessage
from helpdesk.errors import Conflict, TicketingError, TicketNotFound
from helpdesk.media.intake import sniff
from helpdesk.media.records import save_media
from helpdesk.settings import PROJECT_ROOT
from helpdesk.store import get_media_store
from helpdesk.tickets import core
from helpdesk.tickets.handoff import push_close, push_note
from helpdesk.tickets.relay import Outgoing, deliver, resume_bot
from helpdesk.tickets.status import ACTIVE

logger = logging.getLogger(__name__)

CANNED_PATH = PROJECT_ROOT / "knowledge" / "canned_responses.yml"


def _iso(value: Any) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def ticket_dict(ticket: Ticket, *, assignee: str | None = None) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "customer": ticket.sender_id,
        "use_case": ticket.use_case,
        "queue": ticket.queue,
        "priority": ticket.priority,
        "status": ticket.status,
        "trigger": ticket.trigger,
        "language": ticket.language,
        "summary": ticket.summary,
        "assignee": assignee,
        "backend": ticket.backend,
        "external_id": ticket.external_id,
        "external_error": ticket.external_error,
        "opened_at": _iso(ticket.opened_at),
        "first_reply_at": _iso(ticket.first_reply_at),
        "resolved_at": _iso(ticket.resolved_at),
        "closed_at": _iso(ticket.closed_at),
        "updated_at": _iso(ticket.updated_at),
    }


def media_dict(record: MediaRecord) -> dict[str, Any]:
    analysis = record.analysis or {}
    return {
        "id": record.id,
        "kind": record.kind,
        "mime": record.mime,
        "size": record.size,
        "purpose": record.purpose,
        "caption": record.caption,
        "url": f"/media/{record.id}",
        "analysis": analysis or None,
        "accepted": analysis.get("accepted"),
        "problems": analysis.get("problems") or [],
        "ocr_text": (analysis.get("ocr") or {}).get("text"),
        "fields": analysis.get("fields") or [],
        "barcodes": analysis.get("barcodes") or [],
    }


def message_dict(line: TicketMessage, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": line.id,
        "who": line.author,
        "agent": names.get(line.agent_id) if line.agent_id else None,
        "when": _iso(line.created_at),
        "text": line.text,
        "media_id": line.media_id,
        "origin": line.origin,
        "delivery": line.delivery,
    }


def _require(session: Any, ticket_id: int) -> Ticket:
    """The ticket, or ``TicketNotFound`` (which the API answers with 404)."""
    ticket = core.get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        raise TicketNotFound(f"no ticket #{ticket_id}")
    return ticket


def _names(session: Any) -> dict[int, str]:
    return {a.id: a.username for a in session.query(Agent).all()}


def list_tickets(url: str | None, filters: dict[str, Any]) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        names = _names(session)
        return [
            ticket_dict(t, assignee=names.get(t.assignee_id))
            for t in core.list_tickets(session, **filters)
        ]


def ticket_detail(url: str | None, ticket_id: int) -> dict[str, Any] | None:
    with session_scope(url) as session:
        ticket = core.get_ticket(session, ticket_id=ticket_id)
        if ticket is None:
            return None
        names = _names(session)
        lines = core.messages(session, ticket_id=ticket.id)
        media_ids = set(ticket.media_ids or []) | {m.media_id for m in lines if m.media_id}
        found = (session.get(MediaRecord, m) for m in sorted(media_ids))
        media = [m for m in found if m is not None]
        detail = ticket_dict(ticket, assignee=names.get(ticket.assignee_id))
        detail.update(
            {
                "fields": ticket.fields or [],
                "kb_matches": ticket.kb_matches or [],
                "fixes": ticket.fixes or [],
                "flags": ticket.flags or [],
                "media": [media_dict(m) for m in media],
                "messages": [message_dict(m, names) for m in lines if m.author != "note"],
                "notes": [message_dict(m, names) for m in lines if m.author == "note"],
            }
        )
        return detail


def queues(url: str | None) -> list[str]:
    with session_scope(url) as session:
        return sorted({q for (q,) in session.query(Ticket.queue).distinct()})


def agents(url: str | None) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        return [
            {"id": a.id, "username": a.username, "role": a.role}
            for a in session.query(Agent).order_by(Agent.username)
        ]


def _reply_target(url: str | None, ticket_id: int) -> tuple[str, str]:
    with session_scope(url) as session:
        ticket = _require(session, ticket_id)
        if ticket.status not in ACTIVE:
            raise Conflict(
                f"ticket #{ticket_id} is {ticket.status}",
                hint="Replies go out only while the agent has the case.",
            )
        return ticket.sender_id, ticket.language


def _store_upload(url: str | None, sender_id: str, upload: Outgoing) -> int:
    found = sniff(upload.data)
    kind = found.kind if found else "document"
    stored = get_media_store().put(upload.data, mime=upload.mime)
    with session_scope(url) as session:
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


SENDABLE = {"image/jpeg", "image/png", "video/mp4", "application/pdf"}
MAX_UPLOAD = 16 * 1024 * 1024  # Meta's video limit; images are refused above 5 MB by Meta


def checked_upload(data: bytes, filename: str) -> Outgoing:
    """The agent's file, typed by its bytes (never by the browser's claim)."""
    found = sniff(data)
    if found is None or found.mime not in SENDABLE:
        raise TicketingError(
            "the file is not a JPEG, PNG, MP4 or PDF",
            hint="Attach a photo, a video or a PDF document.",
        )
    if len(data) > MAX_UPLOAD or (found.kind == "image" and len(data) > 5 * 1024 * 1024):
        raise TicketingError("the file is too large for WhatsApp", hint="Send a smaller file.")
    name = Path(filename or "file").name[:100] or "file"
    return Outgoing(data=data, mime=found.mime, filename=name)


async def reply(
    state: Any,
    *,
    ticket_id: int,
    agent_id: int | None,
    text: str | None,
    upload: Outgoing | None = None,
    origin: str = "console",
) -> dict[str, Any]:
    """Send the agent's text (and file) to the customer and keep it on the ticket."""
    url = state.database_url
    text = (text or "").strip() or None
    if text is None and upload is None:
        raise TicketingError("the reply is empty", hint="Write a message or attach a file.")
    sender_id, language = await asyncio.to_thread(_reply_target, url, ticket_id)
    media_id = None
    if upload is not None:
        media_id = await asyncio.to_thread(_store_upload, url, sender_id, upload)
    delivery = await deliver(state.sender, sender_id, text=text, media=upload, language=language)

    def record() -> int:
        with session_scope(url) as session:
            return core.record_agent_reply(
                session,
                ticket_id=ticket_id,
                text=text,
                agent_id=agent_id,
                media_id=media_id,
                origin=origin,
                delivery=delivery,
            ).id

    message_id = await asyncio.to_thread(record)
    state.metrics.replies.labels(delivery=delivery).inc()
    if origin not in ("zendesk", "freshdesk"):
        # Keep a mirrored Zendesk/Freshdesk ticket complete (a no-op for builtin tickets).
        words = {"sent": "", "template": " (window closed: only the template went out)"}
        await asyncio.to_thread(
            push_note,
            ticket_id=ticket_id,
            text=f"Reply sent on WhatsApp from the helpdesk console"
            f"{words.get(delivery, f' ({delivery})')}:\n{text or '(file)'}",
            url=url,
        )
    return {"id": message_id, "delivery": delivery}


async def close(
    state: Any,
    *,
    ticket_id: int,
    agent_id: int | None,
    resolved: bool = True,
    origin: str = "console",
) -> dict[str, Any]:
    def run() -> tuple[dict[str, Any], bool, str, str]:
        with session_scope(state.database_url) as session:
            before = _require(session, ticket_id).status
            ticket = core.close_ticket(
                session, ticket_id=ticket_id, agent_id=agent_id, resolved=resolved
            )
            changed = before in ACTIVE
            return ticket_dict(ticket), changed, ticket.sender_id, ticket.language

    result, changed, sender_id, language = await asyncio.to_thread(run)
    if changed and result["backend"] not in ("builtin", origin):
        who = "an agent in the helpdesk console"
        await asyncio.to_thread(
            push_close, ticket_id=ticket_id, note=f"Closed by {who}.", url=state.database_url
        )
    if changed:
        result["bot_resumed"] = await resume_bot(sender_id, outcome="closed", language=language)
    return result


async def hand_back(state: Any, *, ticket_id: int, agent_id: int | None) -> dict[str, Any]:
    def run() -> tuple[dict[str, Any], str, str]:
        with session_scope(state.database_url) as session:
            _require(session, ticket_id)
            ticket = core.hand_back(session, ticket_id=ticket_id, agent_id=agent_id)
            return ticket_dict(ticket), ticket.sender_id, ticket.language

    result, sender_id, language = await asyncio.to_thread(run)
    result["bot_resumed"] = await resume_bot(sender_id, outcome="handed_back", language=language)
    return result


async def note(state: Any, *, ticket_id: int, agent_id: int, text: str) -> dict[str, Any]:
    text = text.strip()
    if not text:
        raise TicketingError("the note is empty", hint="Write something.")

    def run() -> int:
        with session_scope(state.database_url) as session:
            _require(session, ticket_id)
            return core.add_note(session, ticket_id=ticket_id, agent_id=agent_id, text=text).id

    return {"id": await asyncio.to_thread(run)}


async def assign(state: Any, *, ticket_id: int, assignee_id: int | None, by: int) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with session_scope(state.database_url) as session:
            _require(session, ticket_id)
            return ticket_dict(
                core.assign(session, ticket_id=ticket_id, agent_id=assignee_id, by_agent_id=by)
            )

    return await asyncio.to_thread(run)


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
