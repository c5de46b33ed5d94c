"""Replies through ``Sender`` to the sandbox: media, custom JSON, the 24-hour window,
refusal fallbacks and resends — checked on what the sandbox received and what was stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpdesk.db import session_scope
from helpdesk.sandbox.app import SandboxConfig, create_app
from helpdesk.whatsapp import service
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.records import get_outbound
from helpdesk.whatsapp.webhook import Status, parse
from tests.support.servers import serve_app

TOKEN, PHONE = "tok", "100000000000001"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    config = SandboxConfig(
        access_token=TOKEN,
        app_secret="s",
        phone_number_id=PHONE,
        webhook_url="http://127.0.0.1:9/unused",
        templates={"hello_world", "reopen_conversation"},
    )
    with serve_app(create_app(config), path="/sandbox/health") as url:
        yield url


def _customer_wrote(url: str, sandbox_url: str, wa_id: str, seconds_ago: int = 0) -> None:
    """The customer wrote (to the sandbox and, as the webhook would, to our inbox)."""
    timestamp = int(time.time()) - seconds_ago
    httpx.post(
        f"{sandbox_url}/sandbox/customers/{wa_id}/messages",
        json={"text": "hi", "timestamp": timestamp},
    )
    body = {
        "entry": [
            {
                "changes": [
                    {
                        "value": {
                            "metadata": {"phone_number_id": PHONE},
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": f"wamid.{wa_id}.{timestamp}",
                                    "timestamp": str(timestamp),
                                    "type": "text",
                                    "text": {"body": "hi"},
                                }
                            ],
                        }
                    }
                ]
            }
        ]
    }
    with session_scope(url) as session:
        service.store_events(session, events=parse(body, phone_number_id=PHONE))


def _sent(sandbox_url: str, wa_id: str) -> list[dict]:
    items = httpx.get(f"{sandbox_url}/sandbox/customers/{wa_id}/messages").json()["messages"]
    return [m["payload"] for m in items if m["direction"] == "outbound"]


@pytest.fixture
async def sender(database_url: str, sandbox_url: str) -> Sender:
    client = GraphClient(base_url=sandbox_url, access_token=TOKEN, phone_number_id=PHONE)
    yield Sender(client, url=database_url, window_template="reopen_conversation", delay_scale=0.0)
    await client.aclose()


async def test_a_local_image_is_uploaded_then_sent_with_its_caption(
    sender: Sender, database_url: str, sandbox_url: str, tmp_path: Path
) -> None:
    _customer_wrote(database_url, sandbox_url, "15550100001")
    picture = tmp_path / "example.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    await sender.media("15550100001", "image", str(picture), caption="Like this one")
    [payload] = _sent(sandbox_url, "15550100001")
    assert payload["type"] == "image"
    assert payload["image"]["caption"] == "Like this one"
    media = httpx.get(f"{sandbox_url}/sandbox/media/{payload['image']['id']}")
    assert media.content == picture.read_bytes()
    with session_scope(database_url) as session:
        [row] = get_outbound(session, recipient_id="15550100001")
        assert row.status == "accepted" and row.wamid.startswith("wamid.")


async def test_custom_json_is_passed_through_with_the_envelope(
    sender: Sender, database_url: str, sandbox_url: str
) -> None:
    _customer_wrote(database_url, sandbox_url, "15550100002")
    cta = {
        "type": "interactive",
        "interactive": {
            "type": "cta_url",
            "body": {"text": "Track your order"},
            "action": {
                "name": "cta_url",
                "parameters": {"display_text": "Open", "url": "https://x"},
            },
        },
    }
    await sender.custom("15550100002", cta)
    [payload] = _sent(sandbox_url, "15550100002")
    assert payload["interactive"] == cta["interactive"]
    assert payload["to"] == "15550100002" and payload["messaging_product"] == "whatsapp"


async def test_outside_the_window_only_the_configured_template_goes_out(
    sender: Sender, database_url: str, sandbox_url: str
) -> None:
    _customer_wrote(database_url, sandbox_url, "15550100003", seconds_ago=25 * 3600)
    await sender.text("15550100003", "Your ticket was closed")
    [payload] = _sent(sandbox_url, "15550100003")
    assert payload["type"] == "template"
    assert payload["template"]["name"] == "reopen_conversation"


async def test_without_a_template_nothing_is_sent_outside_the_window(
    database_url: str, sandbox_url: str
) -> None:
    _customer_wrote(database_url, sandbox_url, "15550100004", seconds_ago=25 * 3600)
    client = GraphClient(base_url=sandbox_url, access_token=TOKEN, phone_number_id=PHONE)
    try:
        assert await Sender(client, url=database_url).text("15550100004", "late") == [None]
    finally:
        await client.aclose()
    assert _sent(sandbox_url, "15550100004") == []


async def test_a_refused_rich_message_falls_back_to_plain_text(
    sender: Sender, database_url: str, sandbox_url: str
) -> None:
    _customer_wrote(database_url, sandbox_url, "15550100005")
    bad = {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Choose"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "a", "title": "Same"}},
                    {"type": "reply", "reply": {"id": "b", "title": "Same"}},
                ]
            },
        },
    }
    await sender.custom("15550100005", bad)
    [payload] = _sent(sandbox_url, "15550100005")
    assert payload["type"] == "text"
    assert payload["text"]["body"] == "Choose\n\n1. Same\n2. Same"
    with session_scope(database_url) as session:
        rows = get_outbound(session, recipient_id="15550100005")
        assert [(r.type, r.status, r.error_code) for r in rows] == [
            ("interactive", "error", 131009),
            ("text", "accepted", None),
        ]


async def test_a_redelivered_failed_status_resends_once_and_a_final_code_never(
    sender: Sender, database_url: str, sandbox_url: str
) -> None:
    _customer_wrote(database_url, sandbox_url, "15550100006")
    [wamid] = await sender.text("15550100006", "hello")
    failed = Status(wamid, "failed", "15550100006", 1, [{"code": 131000}])
    for _ in range(4):
        await sender.resend(failed)
    not_retryable = Status(wamid, "failed", "15550100006", 1, [{"code": 131026}])
    await sender.resend(not_retryable)
    # Meta delivers statuses at least once: the same failure four times is one resend.
    assert [p["text"]["body"] for p in _sent(sandbox_url, "15550100006")] == ["hello"] * 2


async def test_the_erasure_confirmation_reaches_the_customer(
    database_url: str, sandbox_url: str
) -> None:
    """Erasing a customer's data must not close their 24-hour window (defect 4)."""
    from sqlalchemy import select

    from helpdesk.db.models import InboxMessage
    from helpdesk.erasure import erase_customer

    _customer_wrote(database_url, sandbox_url, "15550100040")
    erase_customer(sender_id="15550100040")
    client = GraphClient(base_url=sandbox_url, access_token=TOKEN, phone_number_id=PHONE)
    try:  # no window template: only an open window lets the text out
        await Sender(client, url=database_url).text("15550100040", "Your data was deleted.")
    finally:
        await client.aclose()
    assert [p["text"]["body"] for p in _sent(sandbox_url, "15550100040")] == [
        "Your data was deleted."
    ]
    with session_scope(database_url) as session:
        rows = list(session.execute(select(InboxMessage)).scalars())
    assert all("hi" not in row.body for row in rows)  # only the window's timestamp is left


async def _keep_failing(
    database_url: str, sandbox_url: str, customer: str, *, code: int, rounds: int
) -> list[float]:
    """Send "hello", then report each copy failed with ``code``: the Sender's waits."""
    _customer_wrote(database_url, sandbox_url, customer)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = GraphClient(base_url=sandbox_url, access_token=TOKEN, phone_number_id=PHONE)
    sender = Sender(client, url=database_url, sleep=sleep)
    try:
        await sender.text(customer, "hello")
        for _ in range(rounds):
            with session_scope(database_url) as session:
                [latest] = get_outbound(session, recipient_id=customer)[-1:]
            await sender.resend(Status(latest.wamid, "failed", customer, 1, [{"code": code}]))
    finally:
        await client.aclose()
    return waits


async def test_a_message_that_keeps_failing_is_resent_at_most_twice_with_backoff(
    database_url: str, sandbox_url: str
) -> None:
    """Each resend is a new message with a new wamid; the limit counts per original
    message, not per row (defect 6)."""
    waits = await _keep_failing(database_url, sandbox_url, "15550100041", code=131000, rounds=6)
    assert [p["text"]["body"] for p in _sent(sandbox_url, "15550100041")] == ["hello"] * 3
    assert waits == [5.0, 10.0]  # errors_map's wait for a transient code, doubling


async def test_the_wait_before_a_resend_is_the_error_maps_alone(
    database_url: str, sandbox_url: str
) -> None:
    """One mechanism: the pair rate limit (131056) waits its 6 s, then 12 s (doubling),
    with no second backoff of the Sender's own taking over."""
    waits = await _keep_failing(database_url, sandbox_url, "15550100042", code=131056, rounds=3)
    assert waits == [6.0, 12.0]
    assert [p["text"]["body"] for p in _sent(sandbox_url, "15550100042")] == ["hello"] * 3
