"""Parse Meta's webhook envelope: ``entry[].changes[].value`` with messages and statuses.

Hand-written rather than pywa's ``Update`` types: pywa builds its objects around a live
client instance and drops fields it does not model, while the inbox must store each message
object verbatim (to be processed later, maybe by another process) and only needs the envelope
fields below.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from helpdesk.errors import MalformedWebhook
from helpdesk.whatsapp.ids import is_bsuid, is_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    wamid: str
    sender_id: str
    phone_number_id: str
    type: str
    timestamp: int
    message: dict[str, Any]
    profile_name: str | None = None
    # Who Meta says wrote (any may be missing: a username-only user has no phone number).
    phone: str | None = None
    user_id: str | None = None
    username: str | None = None
    parent_user_id: str | None = None

    def body_json(self) -> str:
        return json.dumps(
            {"message": self.message, "profile_name": self.profile_name, "username": self.username},
            ensure_ascii=False,
        )


@dataclass(frozen=True)
class Status:
    wamid: str
    status: str  # sent, delivered, read, played, failed
    recipient_id: str
    timestamp: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    recipient_user_id: str | None = None  # the BSUID, when Meta shares it
    pricing: dict[str, Any] = field(default_factory=dict)  # billable, category, type
    # What we put in the message's ``biz_opaque_callback_data`` (Meta echoes it).
    callback_data: str | None = None


@dataclass
class WebhookEvents:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored: int = 0  # changes for another phone number id or another field


def sender_of(message: dict[str, Any]) -> str | None:
    """The customer's id: the phone number (``from``), or a user id on newer payloads."""
    return message.get("from") or message.get("from_user_id") or None


# Longest ids the inbox columns hold; a longer one is not Meta's.
MAX_ID = 128
MAX_WAMID = 256
# Epoch seconds until the year 5138: a larger "timestamp" is garbage, not a time.
MAX_TIMESTAMP = 10**11


def _who(message: dict[str, Any], contact: dict[str, Any]) -> dict[str, str | None]:
    """Phone number, BSUID, username and parent BSUID of a message's sender."""
    # The validators identity uses: an id not shaped like a phone number / BSUID is dropped.
    phone = _text(message.get("from") or contact.get("wa_id"))
    return {
        "phone": phone if is_phone(phone) else None,
        "user_id": _bsuid(message.get("from_user_id") or contact.get("user_id")),
        "username": _text(_dict(contact.get("profile")).get("username")),
        "parent_user_id": _bsuid(
            message.get("from_parent_user_id") or contact.get("parent_user_id")
        ),
    }


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if 0 <= number < MAX_TIMESTAMP else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _bsuid(value: Any) -> str | None:
    return value if is_bsuid(_text(value)) else None


def parse(body: bytes | dict[str, Any], *, phone_number_id: str | None) -> WebhookEvents:
    """Everything in one webhook body that is meant for ``phone_number_id``.

    Messages come back sorted by (sender, timestamp) as Meta does not guarantee order.
    The body is untrusted even when signed: a part of the wrong shape is skipped and logged
    with what was wrong, and the rest of the batch is kept. Only a body that is no envelope
    at all raises ``MalformedWebhook`` (answered with 400).
    """
    if isinstance(body, bytes | bytearray):
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise MalformedWebhook(f"body is not JSON: {error}") from error
    else:
        data = body
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise MalformedWebhook("body has no entry list")
    events = WebhookEvents()
    for entry in data["entry"]:
        changes = _dict(entry).get("changes")
        if not isinstance(changes, list):
            logger.warning("Skipping a webhook entry without a changes list")
            continue
        for change in changes:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                logger.warning("Skipping a webhook change that has no value object")
                continue
            value = change["value"]
            if change.get("field", "messages") != "messages":
                events.ignored += 1
                continue
            raw_target = _dict(value.get("metadata")).get("phone_number_id")
            target = str(raw_target) if isinstance(raw_target, str | int) else ""
            if phone_number_id and target != phone_number_id:
                events.ignored += 1
                logger.info("Ignoring a webhook for phone number id %s", target[:MAX_ID])
                continue
            _collect(value, target, events)
    events.messages.sort(key=lambda m: (m.sender_id, m.timestamp))
    return events


def message_problem(message: Any) -> str | None:
    """What makes ``message`` unusable for the inbox worker, or ``None`` if it is sound.

    Checks the shape of every part the worker reads (the object named by ``type``, the
    text body, the interactive reply, context), so a stored message can always be turned
    into a turn.
    """
    if not isinstance(message, dict):
        return f"the message is a {type(message).__name__}, not an object"
    sender = sender_of(message)
    if not isinstance(sender, str) or not sender or len(sender) > MAX_ID:
        return "no sender (from / from_user_id) as a string"
    wamid = message.get("id")
    if not isinstance(wamid, str) or not wamid or len(wamid) > MAX_WAMID:
        return "no message id as a string"
    kind = message.get("type", "unsupported")
    if not isinstance(kind, str) or not kind:
        return "the type is not a string"
    timestamp = message.get("timestamp")
    if timestamp is not None and _int(timestamp, -1) < 0:
        return f"the timestamp {str(timestamp)[:40]!r} is not epoch seconds"
    # A contacts message carries a list under "contacts" (checked below); the rest objects.
    objects = ("context", "referral") if kind == "contacts" else (kind, "context", "referral")
    for key in objects:
        if message.get(key) is not None and not isinstance(message.get(key), dict):
            return f"{key!r} is not an object"
    part = _dict(message.get(kind))
    checks: dict[str, tuple[str, ...]] = {
        "text": ("body",),
        "button": ("payload", "text"),
        "reaction": ("message_id", "emoji"),
        "image": ("id", "caption", "mime_type"),
        "video": ("id", "caption", "mime_type"),
        "document": ("id", "caption", "mime_type", "filename"),
        "audio": ("id", "mime_type"),
        "sticker": ("id", "mime_type"),
    }
    for key in checks.get(kind, ()):
        if part.get(key) is not None and not isinstance(part.get(key), str):
            return f"{kind}.{key} is not a string"
    if kind == "interactive":
        itype = part.get("type")
        if itype is not None and not isinstance(itype, str):
            return "interactive.type is not a string"
        reply = part.get(itype) if isinstance(itype, str) else None
        if reply is not None and not isinstance(reply, dict):
            return f"interactive.{itype} is not an object"
        for key in ("id", "title", "response_json"):
            if _dict(reply).get(key) is not None and not isinstance(_dict(reply).get(key), str):
                return f"interactive.{itype}.{key} is not a string"
    if kind == "edit" and part.get("message") is not None:
        inner = part.get("message")
        if not isinstance(inner, dict) or message_problem({"from": sender, "id": wamid, **inner}):
            return "edit.message is not a sound message"
    if kind == "location" and not all(
        isinstance(v, str | int | float | None) for v in part.values()
    ):
        return "location holds nested values"
    contacts = message.get("contacts")
    if kind == "contacts" and contacts is not None and not isinstance(contacts, list):
        return "contacts is not a list"
    return None


def _collect(value: dict[str, Any], target: str, events: WebhookEvents) -> None:
    names: dict[str, str | None] = {}
    contacts: dict[str, dict[str, Any]] = {}
    for contact in _list(value.get("contacts")):
        contact = _dict(contact)
        for key in (_text(contact.get("wa_id")), _text(contact.get("user_id"))):
            if key:
                names[key] = _text(_dict(contact.get("profile")).get("name"))
                contacts[key] = contact
    for message in _list(value.get("messages")):
        problem = message_problem(message)
        if problem is not None:
            # Logged without the body: it may hold a customer's number or words.
            logger.warning("Skipping a malformed webhook message: %s", problem)
            events.ignored += 1
            continue
        sender = str(sender_of(message))
        events.messages.append(
            Inbound(
                wamid=message["id"],
                sender_id=sender,
                phone_number_id=target,
                type=str(message.get("type") or "unsupported")[:32],
                timestamp=_int(message.get("timestamp")),
                message=message,
                profile_name=names.get(sender) or names.get(str(message.get("from_user_id"))),
                **_who(message, contacts.get(sender) or {}),
            )
        )
    for status in _list(value.get("statuses")):
        status = _dict(status)
        wamid = _text(status.get("id"))
        if wamid is None or len(wamid) > MAX_WAMID:
            logger.warning("Skipping a webhook status without a message id")
            continue
        events.statuses.append(
            Status(
                wamid=wamid,
                status=_text(status.get("status")) or "",
                recipient_id=(_text(status.get("recipient_id")) or "")[:MAX_ID],
                timestamp=_int(status.get("timestamp")),
                errors=[_error(e) for e in _list(status.get("errors")) if isinstance(e, dict)],
                recipient_user_id=_bsuid(status.get("recipient_user_id")),
                pricing=_dict(status.get("pricing")),
                callback_data=(_text(status.get("biz_opaque_callback_data")) or "")[:512] or None,
            )
        )
    events.errors.extend(e for e in _list(value.get("errors")) if isinstance(e, dict))


def _error(error: dict[str, Any]) -> dict[str, Any]:
    """Meta's error object with the fields we store, each of the type we store it as."""
    code = _int(error.get("code"), -1)
    details = _text(_dict(error.get("error_data")).get("details"))
    return {
        "code": code if 0 <= code < 2**31 else None,  # an INTEGER column
        "title": _text(error.get("title")),
        "message": _text(error.get("message")),
        "error_data": {"details": details} if details else {},
    }
