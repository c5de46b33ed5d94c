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


@dataclass
class WebhookEvents:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored: int = 0  # changes for another phone number id or another field


def sender_of(message: dict[str, Any]) -> str | None:
    """The customer's id: the phone number (``from``), or a user id on newer payloads."""
    return message.get("from") or message.get("from_user_id") or None


def _who(message: dict[str, Any], contact: dict[str, Any]) -> dict[str, str | None]:
    """Phone number, BSUID, username and parent BSUID of a message's sender."""

    def text(value: Any) -> str | None:
        return str(value) if isinstance(value, str | int) and str(value) else None

    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    return {
        "phone": text(message.get("from") or contact.get("wa_id")),
        "user_id": text(message.get("from_user_id") or contact.get("user_id")),
        "username": text(profile.get("username")),
        "parent_user_id": text(message.get("from_parent_user_id") or contact.get("parent_user_id")),
    }


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse(body: bytes | dict[str, Any], *, phone_number_id: str | None) -> WebhookEvents:
    """Everything in one webhook body that is meant for ``phone_number_id``.

    Messages come back sorted by (sender, timestamp) as Meta does not guarantee order.
    """
    if isinstance(body, bytes | bytearray):
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MalformedWebhook(f"body is not JSON: {error}") from error
    else:
        data = body
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise MalformedWebhook("body has no entry list")
    events = WebhookEvents()
    for entry in data["entry"]:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            if change.get("field", "messages") != "messages":
                events.ignored += 1
                continue
            target = str((value.get("metadata") or {}).get("phone_number_id") or "")
            if phone_number_id and target != phone_number_id:
                events.ignored += 1
                logger.info("Ignoring a webhook for phone number id %s", target)
                continue
            _collect(value, target, events)
    events.messages.sort(key=lambda m: (m.sender_id, m.timestamp))
    return events


def _collect(value: dict[str, Any], target: str, events: WebhookEvents) -> None:
    names: dict[str, str | None] = {}
    contacts: dict[str, dict[str, Any]] = {}
    for contact in value.get("contacts") or []:
        if not isinstance(contact, dict):
            continue
        for key in (contact.get("wa_id"), contact.get("user_id")):
            if key:
                names[key] = (contact.get("profile") or {}).get("name")
                contacts[key] = contact
    for message in value.get("messages") or []:
        sender = sender_of(message)
        wamid = message.get("id")
        if not sender or not wamid:
            logger.warning("Skipping a webhook message without id or sender")
            continue
        events.messages.append(
            Inbound(
                wamid=str(wamid),
                sender_id=str(sender),
                phone_number_id=target,
                type=str(message.get("type") or "unsupported"),
                timestamp=_int(message.get("timestamp")),
                message=message,
                profile_name=names.get(sender) or names.get(message.get("from_user_id")),
                **_who(message, contacts.get(sender) or {}),
            )
        )
    for status in value.get("statuses") or []:
        if not status.get("id"):
            continue
        events.statuses.append(
            Status(
                wamid=str(status["id"]),
                status=str(status.get("status") or ""),
                recipient_id=str(status.get("recipient_id") or ""),
                timestamp=_int(status.get("timestamp")),
                errors=list(status.get("errors") or []),
                recipient_user_id=str(status.get("recipient_user_id") or "") or None,
                pricing=status.get("pricing") if isinstance(status.get("pricing"), dict) else {},
            )
        )
    events.errors.extend(value.get("errors") or [])
