"""The customer side: act as a customer (tests, the web chat) and read the conversation.

``POST /sandbox/customers/{wa_id}/messages`` takes JSON — ``{"text": ...}``,
``{"button_reply": {"id": ...}}``, ``{"list_reply": {"id": ...}}``, ``{"button": {"payload":
..., "text": ...}}`` (a tap on a template's quick-reply button; also ``reaction`` and
``location`` objects as Meta sends them; optional ``name``, ``context`` (a wamid replied
to) and ``timestamp`` (epoch seconds, to play a customer who wrote long ago)) — or multipart
``file`` + optional ``caption``. ``wa_id`` is a phone number, or a business-scoped user id
(``US.1349…``) for a customer who uses a username and shares no number (optional
``username``): the webhooks then carry the BSUID and the username and no phone number.
It builds the webhook Meta would send, signs it with the app secret and delivers it to the
bot; the answer holds the new wamid and the bot's HTTP status. If the bot does not
acknowledge, the sandbox keeps retrying in the background, as Meta does.

``GET /sandbox/customers/{wa_id}/messages`` returns ``{"messages": [...]}``, both directions
in order. Reading marks the bot's delivered messages as read (the customer opened the chat),
which sends ``read`` statuses to the bot.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from helpdesk.sandbox.meta import ASYNC_FAULT_CODES, SYNC_FAULT_CODES
from helpdesk.sandbox.notifier import DISPLAY_NUMBER
from helpdesk.sandbox.state import Customer, Fault, SandboxState, new_wamid, now
from helpdesk.whatsapp.identity import is_bsuid

router = APIRouter()
STATIC = Path(__file__).resolve().parent / "static"


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status)


_USERNAME = re.compile(r"@?[A-Za-z0-9._]{3,35}")


def _contact(customer: Customer) -> dict[str, Any]:
    """The webhook's ``contacts[]`` entry as Meta sends it since April 2026: the BSUID always,
    the phone number only when the user shares it, the username when they have one."""
    profile: dict[str, Any] = {"name": customer.name}
    if customer.username:
        profile["username"] = customer.username
    contact: dict[str, Any] = {"profile": profile}
    if customer.phone:
        contact["wa_id"] = customer.phone
    contact["user_id"] = customer.user_id
    return contact


def _kind_for(mime: str) -> str:
    if mime == "image/webp":
        return "sticker"
    if mime in ("image/jpeg", "image/png"):
        return "image"
    for prefix in ("video", "audio"):
        if mime.startswith(prefix + "/"):
            return prefix
    return "document"


def _find_choice(state: SandboxState, wa_id: str, choice_id: str) -> tuple[str | None, str | None]:
    """(title, wamid) of the button or row with this id in the bot's latest messages."""
    for item in reversed(state.customer(wa_id).items):
        if item["direction"] != "outbound" or item["type"] != "interactive":
            continue
        action = item["payload"]["interactive"].get("action") or {}
        options = [b.get("reply") or {} for b in action.get("buttons") or []]
        for section in action.get("sections") or []:
            options += section.get("rows") or []
        for option in options:
            if option.get("id") == choice_id:
                return option.get("title"), item["id"]
    return None, None


def _find_template_button(state: SandboxState, wa_id: str, payload: str) -> str | None:
    """The wamid of the latest template sent with a quick-reply button carrying ``payload``."""
    for item in reversed(state.customer(wa_id).items):
        if item["direction"] != "outbound" or item["type"] != "template":
            continue
        for component in item["payload"]["template"].get("components") or []:
            for parameter in component.get("parameters") or []:
                if component.get("type") == "button" and parameter.get("payload") == payload:
                    return item["id"]
    return None


async def _message_from_json(state: SandboxState, wa_id: str, data: dict) -> dict[str, Any]:
    message: dict[str, Any] = {}
    if isinstance(data.get("text"), str):
        message = {"type": "text", "text": {"body": data["text"]}}
    elif isinstance(data.get("button_reply"), dict) or isinstance(data.get("list_reply"), dict):
        key = "button_reply" if isinstance(data.get("button_reply"), dict) else "list_reply"
        choice_id = str(data[key].get("id") or "")
        if not choice_id:
            raise ValueError(f"{key} needs an id")
        title, wamid = _find_choice(state, wa_id, choice_id)
        reply = {"id": choice_id, "title": data[key].get("title") or title or choice_id}
        message = {"type": "interactive", "interactive": {"type": key, key: reply}}
        if wamid:
            message["context"] = {"from": DISPLAY_NUMBER, "id": wamid}
    elif isinstance(data.get("button"), dict):
        # Meta's webhook for a template's quick-reply tap: the payload set when it was sent.
        payload = str(data["button"].get("payload") or "")
        wamid = _find_template_button(state, wa_id, payload)
        if not payload or wamid is None:
            raise ValueError("button needs the payload of a quick-reply button the bot sent")
        text = str(data["button"].get("text") or payload)
        message = {"type": "button", "button": {"payload": payload, "text": text}}
        message["context"] = {"from": DISPLAY_NUMBER, "id": wamid}
    elif isinstance(data.get("reaction"), dict):
        message = {"type": "reaction", "reaction": data["reaction"]}
    elif isinstance(data.get("location"), dict):
        message = {"type": "location", "location": data["location"]}
    else:
        raise ValueError("send one of text, button_reply, list_reply, button, reaction, location")
    if data.get("context"):
        message["context"] = {"from": DISPLAY_NUMBER, "id": str(data["context"])}
    return message


async def _message_from_form(state: SandboxState, form: Any) -> dict[str, Any]:
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ValueError("multipart needs a file field")
    data = await upload.read()
    if not data:
        raise ValueError("the file is empty")
    filename = getattr(upload, "filename", None) or "file"
    mime = (upload.content_type or "").split(";")[0].strip()
    if not mime or mime == "application/octet-stream":
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    kind = _kind_for(mime)
    media = state.add_media(data, mime, filename)
    content: dict[str, Any] = {
        "mime_type": mime,
        "sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "id": media.id,
    }
    caption = form.get("caption")
    if caption and kind in ("image", "video", "document"):
        content["caption"] = str(caption)
    if kind == "document":
        content["filename"] = filename
    if kind == "audio":
        content["voice"] = mime == "audio/ogg"
    if kind == "sticker":
        content["animated"] = False
    return {"type": kind, kind: content}


@router.post("/sandbox/customers/{wa_id}/messages")
async def customer_sends(wa_id: str, request: Request) -> Response:
    state = _state(request)
    notifier = request.app.state.notifier
    wa_id = wa_id.lstrip("+")
    if not wa_id.isdigit() and not is_bsuid(wa_id):
        return _error(
            400,
            "wa_id must be a phone number in international format (digits only) or a "
            "business-scoped user id such as US.13491208655302741918",
        )
    name = username = None
    timestamp = now()
    try:
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
            message = await _message_from_form(state, form)
            name, username = form.get("name"), form.get("username")
        else:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("send a JSON object")
            message = await _message_from_json(state, wa_id, data)
            name, username = data.get("name"), data.get("username")
            timestamp = int(data.get("timestamp") or timestamp)
    except ValueError as error:
        return _error(400, str(error))
    if username is not None and not _USERNAME.fullmatch(str(username)):
        return _error(400, "username: 3 to 35 letters, digits, dots or underscores")
    customer = state.customer(
        wa_id, name=str(name) if name else None, username=str(username) if username else None
    )
    wamid = new_wamid()
    sender = {"from": customer.phone} if customer.phone else {}
    sender["from_user_id"] = customer.user_id
    message = {**sender, "id": wamid, "timestamp": str(timestamp), **message}
    item = {
        "direction": "inbound",
        "id": wamid,
        "timestamp": timestamp,
        "status": "sent",
        **{
            k: v for k, v in message.items() if k not in ("from", "from_user_id", "id", "timestamp")
        },
    }
    kind = message["type"]
    if kind in ("image", "video", "audio", "document", "sticker"):
        item["media_url"] = f"/sandbox/media/{message[kind]['id']}"
    state.record_inbound(wa_id, item)
    body = notifier.envelope({"contacts": [_contact(customer)], "messages": [message]})
    status = await notifier.deliver(body)
    item["webhook_status"] = status
    if status == 200:
        item["status"] = "delivered"
        return JSONResponse({"messages": [{"id": wamid}], "webhook_status": status})
    notifier.spawn(_retry(notifier, body, item))
    return JSONResponse({"messages": [{"id": wamid}], "webhook_status": status}, status_code=202)


async def _retry(notifier: Any, body: dict[str, Any], item: dict[str, Any]) -> None:
    """Retry as Meta does; the phone shows the message delivered once the bot has it."""
    status = await notifier.deliver_with_retries(body)
    item["webhook_status"] = status
    if status == 200:
        item["status"] = "delivered"


@router.get("/sandbox/customers/{wa_id}/messages")
async def conversation(wa_id: str, request: Request) -> Response:
    state = _state(request)
    wa_id = wa_id.lstrip("+")
    if wa_id not in state.customers:
        return JSONResponse({"messages": []})
    items = state.customers[wa_id].items
    for item in items:
        if item["direction"] == "outbound":
            request.app.state.notifier.read(item, wa_id)
    return JSONResponse({"messages": items})


@router.get("/sandbox/customers")
async def customers(request: Request) -> Response:
    state = _state(request)
    return JSONResponse(
        {
            "customers": [
                {"wa_id": c.wa_id, "name": c.name, "messages": len(c.items)}
                for c in state.customers.values()
            ]
        }
    )


@router.get("/sandbox/media/{media_id}")
async def media_for_phone(media_id: str, request: Request) -> Response:
    """What the phone shows (no token: this is the customer's own screen)."""
    media = _state(request).media.get(media_id)
    if media is None:
        return _error(404, "no such media")
    return Response(media.data, media_type=media.mime)


@router.post("/sandbox/media/{media_id}/expire")
async def expire_media(media_id: str, request: Request) -> Response:
    """Test hook: the media id expires now, as Meta's do 7 days after the webhook. The
    Graph API then answers ``GET /{media-id}`` with error 100 (subcode 33: the object does
    not exist), as Meta does."""
    if _state(request).media.pop(media_id, None) is None:
        return _error(404, "no such media")
    return JSONResponse({"expired": media_id})


@router.post("/sandbox/faults")
async def add_fault(request: Request) -> Response:
    """Test hook: make the next ``count`` calls to ``target`` fail with ``kind``.

    ``sends`` is ``messages`` without the read receipts, with two more kinds: ``lost`` (no
    answer for ``delay`` seconds, then a 500; nothing sent) and ``accepted_late`` (the
    customer gets the message at once; the answer and its status webhooks come ``delay``
    seconds later)."""
    data = await request.json()
    targets = ("messages", "sends", "media_info", "media_download", "media_upload")
    kinds = ("500", "timeout", "rate_limit", "expired_url", "lost", "accepted_late")
    codes = tuple(str(c) for c in (*SYNC_FAULT_CODES, *ASYNC_FAULT_CODES))
    if data.get("target") not in targets or str(data.get("kind")) not in kinds + codes:
        return _error(400, f"target in {targets}, kind in {kinds} or a Meta code in {codes}")
    fault = Fault(
        target=data["target"],
        kind=str(data["kind"]),
        count=int(data.get("count", 1)),
        delay=float(data.get("delay", 30.0)),
    )
    _state(request).faults.append(fault)
    return JSONResponse({"faults": len(_state(request).faults)})


@router.delete("/sandbox/faults")
async def clear_faults(request: Request) -> Response:
    _state(request).faults.clear()
    return JSONResponse({"faults": 0})


@router.get("/sandbox/health")
async def health() -> Response:
    return JSONResponse({"status": "ok"})


@router.get("/")
async def web_chat() -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html")
