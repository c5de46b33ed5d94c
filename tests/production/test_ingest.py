"""The webhook's own process (``helpdesk.ingest``) on real PostgreSQL and Redis: it stores
and acknowledges, and a replica's inbox worker elsewhere takes the message at once (a Redis
announcement), not at its next poll."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from helpdesk.ingest import create_app
from helpdesk.whatsapp.inbound import Turn
from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService
from helpdesk.whatsapp.states import FailureHandling
from tests.production.stack import migrated_services
from tests.support.servers import free_port, serve_app
from tests.support.webhooks import encode, signed_headers, status_webhook, text_webhook

PHONE, SECRET = "100000000000001", "ingest-secret"


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("ingest-engines")
    ports = {
        "SERVICES_PG_PORT": str(free_port()),
        "SERVICES_REDIS_PORT": str(free_port()),
        "SERVICES_S3_PORT": str(free_port()),
    }
    with migrated_services(folder, ports) as values:
        yield values


def _config(engines: dict[str, str]) -> ChannelConfig:
    return ChannelConfig(
        access_token="t",
        app_secret=SECRET,
        verify_token="v",
        phone_number_id=PHONE,
        graph_url="http://127.0.0.1:9",  # nothing there: read receipts fail, turns go on
        graph_retries=0,
        database_url=engines["HELPDESK_DATABASE_URL"],
        redis_url=engines["HELPDESK_REDIS_URL"],
    )


async def test_a_message_acknowledged_by_the_ingest_process_is_taken_by_a_replica_at_once(
    engines: dict[str, str],
) -> None:
    config = _config(engines)
    delivered: list[tuple[str, str, float]] = []

    async def deliver(sender_id: str, turn: Turn) -> None:
        delivered.append((sender_id, turn.text, time.monotonic()))

    # The replica: its worker polls only every 30 s, so only a wake-up explains speed.
    replica = WhatsAppService(config, poll_interval=30.0)
    replica.start(deliver)
    await asyncio.sleep(1.0)  # its first (empty) poll is done; it now waits 30 s
    try:
        with serve_app(create_app(config), path="/webhooks/whatsapp/") as ingest:
            raw = encode(
                text_webhook("34600111222", "wamid.ingest.1", "hola, mi pago falló", phone=PHONE)
            )
            async with httpx.AsyncClient() as client:
                handshake = await client.get(
                    ingest + "/webhooks/whatsapp/webhook",
                    params={"hub.mode": "subscribe", "hub.verify_token": "v",
                            "hub.challenge": "42"},
                )  # fmt: skip
                assert (handshake.status_code, handshake.text) == (200, "42")
                forged = await client.post(
                    ingest + "/webhooks/whatsapp/webhook",
                    content=raw,
                    headers=signed_headers("not-the-secret", raw),
                )
                assert forged.status_code == 403
                sent = time.monotonic()
                ack = await client.post(
                    ingest + "/webhooks/whatsapp/webhook",
                    content=raw,
                    headers=signed_headers(SECRET, raw),
                )
            assert ack.status_code == 200
            deadline = time.monotonic() + 5
            while not delivered and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
    finally:
        await replica.stop()
    assert [(s, t) for s, t, _ in delivered] == [("34600111222", "hola, mi pago falló")]
    assert delivered[0][2] - sent < 5  # well before the worker's next poll (30 s)


async def test_a_failed_status_acknowledged_by_the_ingest_is_answered_by_the_worker(
    engines: dict[str, str],
) -> None:
    """With the worker in a process of its own, reacting to a failed status (here: Meta
    cannot deliver to the customer, so the agent is told) is the worker's work: the ingest
    only stores and acknowledges, and the note reaches the agent from the worker."""
    from helpdesk.db import session_scope
    from helpdesk.whatsapp.records import mark_accepted, record_outbound

    config = _config(engines)
    customer, wamid = "34600111333", "wamid.ingest.failed.1"
    with session_scope(config.database_url) as session:
        sent = record_outbound(
            session,
            recipient_id=customer,
            payload={"messaging_product": "whatsapp", "to": customer, "type": "text",
                     "text": {"body": "hello"}},
        )  # fmt: skip
        session.flush()
        mark_accepted(session, outbound_id=sent, wamid=wamid)
    told: dict[str, list[str]] = {"ingest": [], "worker": []}

    def teller(who: str):  # type: ignore[no-untyped-def]
        async def tell(sender_id: str, note: str) -> None:
            told[who].append(sender_id)

        return tell

    async def deliver(sender_id: str, turn: Turn) -> None:
        return None

    worker = WhatsAppService(
        config, on_stop=teller("worker"), failures=FailureHandling.TAKEN, poll_interval=30
    )
    worker.start(deliver)
    ingest = WhatsAppService(config, on_stop=teller("ingest"), failures=FailureHandling.HAND_OVER)
    body = status_webhook(wamid, customer, "failed", phone=PHONE)
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] = [
        {"code": 131026, "title": "Message undeliverable"}
    ]
    raw = encode(body)
    try:
        ack = await ingest.receive(raw, signed_headers(SECRET, raw)["X-Hub-Signature-256"])
        assert ack.status == 200
        deadline = time.monotonic() + 10
        while not told["worker"] and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        await ingest.stop()
    assert told == {"ingest": [], "worker": [customer]}
