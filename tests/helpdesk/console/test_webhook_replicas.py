"""Defect 8 (replicas): two console replicas on one database relay each Zendesk/Freshdesk
delivery once, however the service's retries land on them (at the same moment, or while
the first replica's send is still under way)."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from helpdesk.console.webhooks import zendesk_signature
from helpdesk.db import session_scope
from helpdesk.tickets import core
from tests.helpdesk.console.conftest import FRESHDESK_SECRET, ZENDESK_SECRET, Stack, hand_off
from tests.support.servers import Process, free_port, start_process

CUSTOMER = "15553330001"


@pytest.fixture
def second_replica(stack: Stack) -> Iterator[Process]:
    """Another console process (own memory, own caches) on the stack's database."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", "helpdesk.console.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--ws", "none",
            "--log-level", "warning"]  # fmt: skip
    env = {
        "HELPDESK_DATABASE_URL": stack.database_url,
        "ZENDESK_WEBHOOK_SECRET": ZENDESK_SECRET,
        "FRESHDESK_WEBHOOK_SECRET": FRESHDESK_SECRET,
    }
    with start_process(argv, port=port, path="/login", env=env) as replica:
        yield replica


def _zendesk_ticket(stack: Stack, external_id: str) -> int:
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    with session_scope(stack.database_url) as session:
        row = core.require_ticket(session, ticket_id=ticket)
        row.backend, row.external_id, row.status = "zendesk", external_id, "with_agent"
    return ticket


def _at_once(posts: list[tuple[str, bytes, dict[str, str]]]) -> list[httpx.Response]:
    """Every post started together (a barrier), as a retry racing the first delivery."""
    barrier = threading.Barrier(len(posts))
    answers: list[httpx.Response | None] = [None] * len(posts)

    def post(index: int) -> None:
        url, body, headers = posts[index]
        barrier.wait()
        answers[index] = httpx.post(url, content=body, headers=headers, timeout=30)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [a for a in answers if a is not None]


def test_a_delivery_racing_on_two_replicas_reaches_the_customer_once(
    stack: Stack, second_replica: Process, wait_for
) -> None:
    _zendesk_ticket(stack, "8801")
    comments = [f"Update {n}: your parcel left the depot." for n in range(4)]
    for comment in comments:
        body = json.dumps({"ticket_id": "8801", "status": "open", "author_id": "9001",
                           "comment": comment}).encode()  # fmt: skip
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        headers = {
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        }
        replicas = (stack.url, second_replica.url) * 2
        answers = _at_once([(f"{url}/webhooks/zendesk", body, headers) for url in replicas])
        assert all(a.status_code == 200 for a in answers), second_replica.log()
        assert sum(a.json().get("ignored") == "duplicate delivery" for a in answers) == 3
    wait_for(lambda: len(stack.received(CUSTOMER)) >= len(comments))
    time.sleep(1.0)  # a second copy, if any, would arrive by now
    bodies = [m["payload"]["text"]["body"] for m in stack.received(CUSTOMER)]
    assert sorted(bodies) == sorted(comments)


def test_a_freshdesk_retry_on_the_other_replica_is_delivered_once(
    stack: Stack, second_replica: Process, wait_for
) -> None:
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    with session_scope(stack.database_url) as session:
        row = core.require_ticket(session, ticket_id=ticket)
        row.backend, row.external_id, row.status = "freshdesk", "501", "with_agent"
    body = json.dumps({"ticket_id": "501", "status": "Open",
                       "comment": "<p>Your refund is on its way.</p>"}).encode()  # fmt: skip
    headers = {"Content-Type": "application/json", "X-Helpdesk-Webhook-Secret": FRESHDESK_SECRET}
    answers = _at_once([(f"{url}/webhooks/freshdesk", body, headers)
                        for url in (second_replica.url, stack.url) * 2])  # fmt: skip
    assert [a.status_code for a in answers] == [200] * 4, second_replica.log()
    wait_for(lambda: stack.received(CUSTOMER))
    time.sleep(1.0)
    bodies = [m["payload"]["text"]["body"] for m in stack.received(CUSTOMER)]
    assert bodies == ["Your refund is on its way."]
