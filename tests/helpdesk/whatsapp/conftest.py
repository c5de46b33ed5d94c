"""A sandbox whose webhooks a test stores itself, and a ``Sender`` talking to it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from helpdesk.db import session_scope
from helpdesk.whatsapp import service
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.webhook import Status, parse
from tests.support.sandbox import running_sandbox

TOKEN, PHONE = "tok", "100000000000001"


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

    def failed_status(self, wamid: str) -> Status:
        """Wait for Meta's ``failed`` status of ``wamid`` (as the webhook parser reads it)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for body in list(self.received):
                for status in parse(body, phone_number_id=PHONE).statuses:
                    if status.wamid == wamid and status.status == "failed":
                        return status
            time.sleep(0.02)
        raise AssertionError(f"no failed status for {wamid}")

    def fault(self, code: int, count: int = 1) -> None:
        answer = httpx.post(
            f"{self.url}/sandbox/faults",
            json={"target": "messages", "kind": str(code), "count": count},
        )
        assert answer.status_code == 200, answer.text

    def sent(self, wa_id: str) -> list[dict]:
        items = httpx.get(f"{self.url}/sandbox/customers/{wa_id}/messages").json()["messages"]
        return [m["payload"] for m in items if m["direction"] == "outbound"]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_sandbox(
        access_token=TOKEN, app_secret="s", phone_number_id=PHONE,
        templates={"reopen_conversation"},
    ) as (url, received):  # fmt: skip
        yield Stack(url, received)


class Told(list):
    """What the Sender told the agents: (customer, note) pairs."""

    async def __call__(self, sender_id: str, note: str) -> None:
        self.append((sender_id, note))


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
async def sender(database_url: str, stack: Stack, told: Told) -> Sender:
    client = GraphClient(
        base_url=stack.url, access_token=TOKEN, phone_number_id=PHONE, backoff=0.05
    )
    yield Sender(
        client,
        url=database_url,
        window_template="reopen_conversation",
        on_stop=told,
        delay_scale=0.01,
    )
    await client.aclose()
