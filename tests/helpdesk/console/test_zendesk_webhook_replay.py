"""Defect 8: a captured Zendesk webhook cannot be replayed (stale timestamps are refused,
the same signed request is delivered once), and an oversized body is refused unread."""

from __future__ import annotations

import json
import time

import httpx

from helpdesk.console.webhooks import zendesk_signature
from helpdesk.db import session_scope
from helpdesk.tickets import core
from tests.helpdesk.console.conftest import ZENDESK_SECRET, Stack, hand_off

CUSTOMER = "15553334445"


def _post(stack: Stack, body: bytes, *, age: float = 0.0) -> httpx.Response:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - age))
    return httpx.post(
        stack.url + "/webhooks/zendesk",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        },
    )


def _reply(text: str) -> bytes:
    return json.dumps({"ticket_id": "7001", "status": "open", "author_id": "9001",
                       "comment": text}).encode()  # fmt: skip


def test_replays_and_stale_requests_deliver_nothing(stack: Stack, wait_for) -> None:
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    with session_scope(stack.database_url) as session:
        row = core.require_ticket(session, ticket_id=ticket)
        row.backend, row.external_id, row.status = "zendesk", "7001", "with_agent"
    stale = _post(stack, _reply("Send your card number"), age=3600)
    assert stale.status_code == 401
    first = _reply("A new jar ships tomorrow.")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    headers = {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, first),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    assert httpx.post(stack.url + "/webhooks/zendesk", content=first, headers=headers).is_success
    assert _post(stack, _reply("Tracking: ZX123.")).is_success
    replay = httpx.post(stack.url + "/webhooks/zendesk", content=first, headers=headers)
    assert replay.json().get("ignored") == "duplicate delivery"
    got = wait_for(lambda: len(stack.received(CUSTOMER)) >= 2 and stack.received(CUSTOMER))
    time.sleep(0.5)
    bodies = [m["payload"]["text"]["body"] for m in stack.received(CUSTOMER)]
    assert bodies.count("A new jar ships tomorrow.") == 1 and "Tracking: ZX123." in bodies
    assert "Send your card number" not in bodies
    assert got


def test_an_oversized_body_is_refused(stack: Stack) -> None:
    assert _post(stack, b"{" + b" " * (256 * 1024) + b"}").status_code == 413
