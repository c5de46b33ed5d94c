"""Webhook bodies as Meta sends them, and their signature, for tests and benchmarks.

    raw = encode(text_webhook("34600000001", "wamid.1", "hola", phone=PHONE))
    httpx.post(url, content=raw, headers=signed_headers(SECRET, raw))
    signed_post(url, body, SECRET)                   # the same, in one call

One place builds what the channel's tests, the production tests and the throughput bench
post, so a change in Meta's format is made once.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from helpdesk.whatsapp.signature import HEADER, sign


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    """A ``messages`` change (messages or statuses) in Meta's webhook envelope."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def text_message(
    sender: str, wamid: str, text: str, *, timestamp: int | None = None
) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "type": "text",
        "text": {"body": text},
    }


def messages_webhook(
    messages: list[dict[str, Any]], *, phone: str, name: str = "Ana"
) -> dict[str, Any]:
    """A webhook carrying ``messages``, with a contact (``name``) for each sender."""
    senders = dict.fromkeys(str(m["from"]) for m in messages)
    return envelope(
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "1", "phone_number_id": phone},
            "contacts": [{"profile": {"name": name}, "wa_id": s} for s in senders],
            "messages": messages,
        }
    )


def text_webhook(
    sender: str, wamid: str, text: str, *, phone: str, name: str = "Ana"
) -> dict[str, Any]:
    """One customer's text message, as the webhook that brings it."""
    return messages_webhook([text_message(sender, wamid, text)], phone=phone, name=name)


def status_webhook(wamid: str, recipient: str, status: str, *, phone: str) -> dict[str, Any]:
    """A sent/delivered/read status of one outbound message."""
    return envelope(
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "1", "phone_number_id": phone},
            "statuses": [
                {
                    "id": wamid,
                    "status": status,
                    "timestamp": str(int(time.time())),
                    "recipient_id": recipient,
                }
            ],
        }
    )


def encode(body: dict[str, Any] | bytes) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def signed_headers(secret: str, raw: bytes) -> dict[str, str]:
    """The headers of a POST of ``raw`` signed with the app secret, as Meta signs it."""
    return {"Content-Type": "application/json", HEADER: sign(secret, raw)}


def signed_post(url: str, body: dict | bytes, secret: str, **kwargs: Any) -> httpx.Response:
    raw = encode(body)
    return httpx.post(url, content=raw, headers=signed_headers(secret, raw), timeout=10, **kwargs)
