"""Agent replies made in Zendesk or Freshdesk, coming back to be relayed to WhatsApp.

**Zendesk** (Admin Center → Webhooks, "Trigger or automation", JSON, signing secret in
``ZENDESK_WEBHOOK_SECRET``), fired by a trigger with conditions "Ticket is Updated",
"Comment is Public" and "Update via is not Web service (API)" (so the customer messages we
add through the API do not come back), and body::

    {"ticket_id": "{{ticket.id}}", "status": "{{ticket.status}}",
     "author_id": "{{current_user.id}}", "comment": "{{ticket.latest_public_comment}}"}

Checked: ``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body))
with ``X-Zendesk-Webhook-Signature-Timestamp``, which must be within ``FRESH_SECONDS`` of
now (a captured request cannot be replayed later); the same body twice within that window is
delivered once, by whichever replica claims it first (``helpdesk.tickets.deliveries``: a
unique key in the shared database, so two replicas, or a retry during a slow send, cannot
both relay it). Bodies are read up to ``MAX_BODY`` bytes only, and not at
all without a signature header.

**Freshdesk** (Automations → "Ticket updates" rule → Trigger webhook, POST, JSON, custom
header ``X-Helpdesk-Webhook-Secret: <FRESHDESK_WEBHOOK_SECRET>``), body::

    {"ticket_id": "{{ticket.id}}", "status": "{{ticket.status}}",
     "comment": "{{ticket.latest_public_comment}}"}

For both: a non-empty comment not written by the customer is sent to the customer on
WhatsApp and kept on the ticket; status solved/closed (Zendesk) or Resolved/Closed
(Freshdesk) closes the case and resumes the bot. A repeated delivery of the same body
within ``FRESH_SECONDS`` is ignored (by every replica), and so is a comment equal to the
last one relayed from that service (a status change that repeats the latest comment).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import json
import logging
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from helpdesk.console import service
from helpdesk.db.models import TicketMessage
from helpdesk.db.models.status import ACTIVE
from helpdesk.tickets import deliveries
from helpdesk.tickets.handoff import find_by_external

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["Zendesk and Freshdesk webhooks"])

ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
FRESHDESK_SECRET = "X-Helpdesk-Webhook-Secret"
CLOSING = {"solved", "closed", "resolved"}
MAX_BODY = 64 * 1024  # a ticket id, a status and one comment
FRESH_SECONDS = 300


async def _capped_body(request: Request) -> bytes | None:
    """The body, or ``None`` once it passes ``MAX_BODY`` (nothing more is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _fresh(timestamp: str) -> bool:
    from datetime import datetime, timezone

    try:
        when = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return False
    return abs(datetime.now(timezone.utc).timestamp() - when.timestamp()) <= FRESH_SECONDS


def _too_large() -> JSONResponse:
    return JSONResponse({"error": "too_large", "message": "body over 64 KB"}, status_code=413)


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _refuse(message: str) -> JSONResponse:
    return JSONResponse({"error": "unauthorized", "message": message}, status_code=401)


def _plain(text: str) -> str:
    """Placeholders may render HTML (Freshdesk); the customer gets plain text."""
    text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


@router.post("/zendesk")
async def zendesk(request: Request) -> JSONResponse:
    secret = request.app.state.config.zendesk_webhook_secret
    signature = request.headers.get(ZENDESK_SIGNATURE, "")
    timestamp = request.headers.get(ZENDESK_TIMESTAMP, "")
    if not secret or not signature:
        return _refuse("invalid or missing X-Zendesk-Webhook-Signature")
    if not _fresh(timestamp):
        return _refuse(f"missing or stale {ZENDESK_TIMESTAMP} (more than 5 minutes off)")
    raw = await _capped_body(request)
    if raw is None:
        return _too_large()
    if not hmac.compare_digest(
        signature.encode(), zendesk_signature(secret, timestamp, raw).encode()
    ):
        return _refuse("invalid or missing X-Zendesk-Webhook-Signature")
    return await _handle(request, "zendesk", raw)


@router.post("/freshdesk")
async def freshdesk(request: Request) -> JSONResponse:
    secret = request.app.state.config.freshdesk_webhook_secret
    given = request.headers.get(FRESHDESK_SECRET, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return _refuse(f"invalid or missing {FRESHDESK_SECRET}")
    raw = await _capped_body(request)
    if raw is None:
        return _too_large()
    return await _handle(request, "freshdesk", raw)


def _load(
    session: Session, *, backend: str, external_id: str, author: str, comment: str
) -> tuple[int, str, bool, bool] | None:
    """Our ticket for the external one: its id and status, whether the comment is the
    customer's own, and whether it repeats the last relayed one."""
    ticket = find_by_external(session, backend=backend, external_id=external_id)
    if ticket is None:
        return None
    by_customer = bool(author) and author == (ticket.external_requester_id or "")
    last = (
        session.query(TicketMessage)
        .filter(TicketMessage.ticket_id == ticket.id, TicketMessage.author == "agent")
        .order_by(TicketMessage.id.desc())
        .first()
    )
    repeated = last is not None and last.origin == backend and last.text == comment
    return ticket.id, ticket.status, by_customer, repeated


async def _handle(request: Request, backend: str, raw: bytes) -> JSONResponse:
    try:
        data: Any = json.loads(raw)
        data = data.get("freshdesk_webhook", data)  # Freshdesk's default wrapper, if kept
        external_id = str(data["ticket_id"]).strip()
    except (ValueError, KeyError, TypeError, AttributeError):
        return JSONResponse({"error": "invalid_request", "message": "need ticket_id"}, 400)
    state = request.app.state
    comment = _plain(str(data.get("comment") or ""))
    status = str(data.get("status") or "").strip().lower()
    author = str(data.get("author_id") or "").strip()

    found = await asyncio.to_thread(
        service.in_session,
        state.database_url,
        _load,
        backend=backend,
        external_id=external_id,
        author=author,
        comment=comment,
    )
    if found is None:
        # 200 so the service does not retry for days a ticket that is not ours.
        return JSONResponse({"ok": True, "ignored": "unknown ticket"})
    ticket_id, current, by_customer, repeated = found
    url = state.database_url
    claimed = await asyncio.to_thread(
        service.in_session, url, deliveries.claim, backend=backend, body=raw, window=FRESH_SECONDS
    )
    if not claimed:
        return JSONResponse({"ok": True, "ignored": "duplicate delivery"})
    try:
        result = await _relay(
            state, backend, ticket_id, comment=comment if not (by_customer or repeated) else "",
            active=current in ACTIVE, closing=status in CLOSING,
        )  # fmt: skip
    except BaseException:
        # Nothing (or not all) went out: let the service's retry of this body deliver it.
        await asyncio.to_thread(
            service.in_session, url, deliveries.release, backend=backend, body=raw
        )
        raise
    return JSONResponse(result)


async def _relay(
    state: Any, backend: str, ticket_id: int, *, comment: str, active: bool, closing: bool
) -> dict[str, Any]:
    result: dict[str, Any] = {"ok": True, "ticket": ticket_id}
    if comment and active:
        sent = await service.reply(
            state, ticket_id=ticket_id, agent_id=None, text=comment, origin=backend
        )
        result["delivery"] = sent.delivery
    if closing:
        closed = await service.close(
            state, ticket_id=ticket_id, agent_id=None, resolved=True, origin=backend
        )
        result["status"] = str(closed.status)
    return result
