"""Replies reach a username-only customer with ``recipient`` and a phone customer with
``to``; the 24-hour window and the statuses follow the identity (sandbox + real SQLite)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request

from helpdesk.db import session_scope
from helpdesk.sandbox.app import SandboxConfig, create_app
from helpdesk.whatsapp import service
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.records import get_outbound
from helpdesk.whatsapp.states import OutboundStatus
from helpdesk.whatsapp.webhook import parse
from tests.support.servers import free_port, serve_app

TOKEN, PHONE = "tok", "100000000000001"
BSUID, NUMBER = "US.77001122334455667788", "15557654321"


class Stack:
    def __init__(self, url: str, received: list[dict]) -> None:
        self.url, self.received = url, received

    def say(self, database_url: str, wa_id: str, **body: object) -> None:
        """The customer writes; the webhook the sandbox sent is stored as the bot would."""
        before = len(self.received)
        httpx.post(f"{self.url}/sandbox/customers/{wa_id}/messages", json={"text": "hi", **body})
        self.store(database_url, self.received[before:])

    def store(self, database_url: str, bodies: list[dict]) -> None:
        with session_scope(database_url) as session:
            for body in bodies:
                service.store_events(session, events=parse(body, phone_number_id=PHONE))

    def sent(self, wa_id: str) -> list[dict]:
        items = httpx.get(f"{self.url}/sandbox/customers/{wa_id}/messages").json()["messages"]
        return [m["payload"] for m in items if m["direction"] == "outbound"]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    received: list[dict] = []
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook(request: Request) -> dict:
        received.append(json.loads(await request.body()))
        return {}

    @receiver.get("/")
    async def health() -> dict:
        return {}

    with serve_app(receiver) as hook_url:
        config = SandboxConfig(
            access_token=TOKEN,
            app_secret="s",
            phone_number_id=PHONE,
            webhook_url=hook_url + "/hook",
            status_delay=0.01,
            templates={"reopen_conversation"},
        )
        with serve_app(create_app(config), port=free_port(), path="/sandbox/health") as url:
            yield Stack(url, received)


@pytest.fixture
async def sender(database_url: str, stack: Stack) -> Sender:
    client = GraphClient(base_url=stack.url, access_token=TOKEN, phone_number_id=PHONE)
    yield Sender(client, url=database_url, window_template="reopen_conversation")
    await client.aclose()


async def test_a_username_only_customer_is_answered_with_recipient(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID, username="@ana.b")
    wamids = await sender.choices(
        BSUID, "Is the screen cracked?", [{"title": "Yes", "payload": "/affirm"}]
    )
    assert all(wamids)
    body = stack.sent(BSUID)[-1]
    assert body["recipient"] == BSUID and "to" not in body


async def test_a_phone_customer_is_answered_with_to(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, NUMBER)  # the sandbox sends the number and a BSUID
    await sender.text(NUMBER, "hello")
    body = stack.sent(NUMBER)[-1]
    assert body["to"] == NUMBER and "recipient" not in body


async def test_statuses_by_bsuid_reach_the_message_and_record_its_pricing(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID, username="@ana.b")
    before = len(stack.received)
    [wamid] = await sender.text(BSUID, "Thanks, a colleague will look at it.")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        stack.store(database_url, stack.received[before:])
        before = len(stack.received)
        with session_scope(database_url) as session:
            row = next(r for r in get_outbound(session, recipient_id=BSUID) if r.wamid == wamid)
            if row.status == OutboundStatus.DELIVERED:
                break
        time.sleep(0.05)
    assert row.status == OutboundStatus.DELIVERED


async def test_the_window_is_kept_per_identity(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    # The customer last wrote two days ago under their BSUID: only the template may go out.
    stack.say(database_url, BSUID, timestamp=int(time.time()) - 2 * 24 * 3600)
    await sender.text(BSUID, "are you still there?")
    body = stack.sent(BSUID)[-1]
    assert body["type"] == "template" and body["recipient"] == BSUID
