"""The throughput bench's load generator: the customers' texts, the open-loop schedule, and
the phases it runs against a topology (REST turns, WhatsApp first messages through the
sandbox or signed and posted by the bench itself, and status webhooks)."""

from __future__ import annotations

import asyncio
import itertools
import os
import time

import httpx

from bench.throughput_measures import pct, server_timing, tracker_events
from tests.production.stack import SECRETS, ProductionStack
from tests.support.webhooks import encode, signed_headers, status_webhook, text_webhook

TEXTS = [
    "hola",
    "hi there",
    "my payment failed and I was charged twice",
    "mi pago falló",
    "the screen of my phone arrived cracked",
    "la lavadora marca E21",
    "I get error 0x80070005 when I update",
    "quiero devolver un pedido",
    "I want to return my order",
    "mi nevera no enfría",
]
PHONE = SECRETS["WHATSAPP_PHONE_NUMBER_ID"]
APP_SECRET = SECRETS["WHATSAPP_APP_SECRET"]


async def open_loop(rate: float, count: int, job) -> None:  # type: ignore[no-untyped-def]
    """Start ``job(i)`` on schedule, whether or not earlier ones finished."""
    tasks = []
    t0 = time.perf_counter()
    for i in range(count):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(job(i)))
    await asyncio.gather(*tasks)


async def rest_phase(
    base: str, rate: float, seconds: float, tag: str, spans: dict | None = None
) -> dict:
    """``spans``: filled with each answered sender's (start, end) in epoch seconds."""
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(timeout=60.0) as client:

        async def one(i: int) -> None:
            nonlocal failures
            sender = f"rest-{tag}-{i}"
            start, wall = time.perf_counter(), time.time()
            try:
                answer = await client.post(
                    base + "/webhooks/rest/webhook",
                    json={"sender": sender, "message": TEXTS[i % len(TEXTS)]},
                )
                ok = answer.status_code == 200 and bool(answer.json())
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append((time.perf_counter() - start) * 1000)
                if spans is not None:
                    spans[sender] = (wall, time.time())
            else:
                failures += 1

        await open_loop(rate, int(rate * seconds), one)
    return {"p50_ms": pct(latencies, 50), "p95_ms": pct(latencies, 95), "failures": failures}


_PHASES = itertools.count(1)


async def whatsapp_phase(
    stack: ProductionStack,
    base: str,
    rate: float,
    seconds: float,
    tag: str,
    *,
    through_sandbox: bool = True,
) -> dict:
    """One first message per distinct customer, open-loop at ``rate``.

    ``through_sandbox``: each customer writes from the sandbox's phone (its customer API),
    so the sandbox, as Meta, knows the number, signs and delivers the webhook and then
    delivers the reply with sent/delivered/read statuses, as in production. The ack is then
    the sandbox's request, which waits for the product's 200: an upper bound of the ack (it
    includes the sandbox's own handling). Otherwise the bench signs and posts the webhooks
    itself to ``base`` (the ack alone, exactly): numbers the sandbox never saw, so every
    reply ends in a failed status 131026 and the product runs its failure path."""
    acks: list[float] = []
    # The ingest's own account of each acknowledgement (its Server-Timing header).
    inside: dict[str, list[float]] = {}
    failures = 0
    count = int(rate * seconds)
    # A prefix of their own per phase: the replies are found by it.
    prefix = f"3469{os.getpid() % 100:02d}{next(_PHASES):03d}"
    senders = [f"{prefix}{i:05d}" for i in range(count)]
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def one(i: int) -> None:
            nonlocal failures
            text = TEXTS[i % len(TEXTS)]
            start = time.perf_counter()
            try:
                if through_sandbox:
                    answer = await client.post(
                        f"{stack.sandbox_url}/sandbox/customers/{senders[i]}/messages",
                        json={"text": text},
                    )
                    ok = answer.status_code == 200 and answer.json().get("webhook_status") == 200
                else:
                    wamid = f"wamid.bench.{tag}.{i}"
                    raw = encode(text_webhook(senders[i], wamid, text, phone=PHONE))
                    headers = signed_headers(APP_SECRET, raw)
                    answer = await client.post(
                        base + "/webhooks/whatsapp/webhook", content=raw, headers=headers
                    )
                    ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                acks.append((time.perf_counter() - start) * 1000)
                for name, ms in server_timing(answer.headers.get("server-timing")).items():
                    inside.setdefault(name, []).append(ms)
            else:
                failures += 1

        await open_loop(rate, count, one)
    latencies = await asyncio.to_thread(reply_latencies, stack, prefix, count)
    statuses = stack.sql(
        "SELECT status, count(*) FROM whatsapp_outbound WHERE recipient_id LIKE :p GROUP BY status",
        p=prefix + "%",
    )
    return {
        "ack_p50_ms": pct(acks, 50),
        "ack_p99_ms": pct(acks, 99),
        "ack_inside_ms": {
            name: {"p50": pct(values, 50), "p99": pct(values, 99)}
            for name, values in sorted(inside.items())
        },
        "prefix": prefix,
        "ack_through_sandbox": through_sandbox,
        "reply_p50_ms": pct(latencies, 50),
        "reply_p95_ms": pct(latencies, 95),
        "answered": len(latencies),
        "sent": count,
        "ack_failures": failures,
        "outbound_statuses": {str(status): int(n) for status, n in statuses},
    }


def reply_latencies(
    stack: ProductionStack, prefix: str, count: int, wait: float = 120.0
) -> list[float]:
    """Inbox received_at → first reply's outbound created_at, once every message of the
    customers whose numbers start with ``prefix`` is done."""
    pattern = prefix + "%"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        (done,) = stack.sql(
            "SELECT count(*) FROM whatsapp_inbox WHERE sender_id LIKE :p AND status = 'done'",
            p=pattern,
        )[0]
        if done >= count:
            break
        time.sleep(1)
    rows = stack.sql(
        "SELECT EXTRACT(EPOCH FROM (o.created_at - i.received_at)) * 1000 "
        "FROM whatsapp_inbox i JOIN whatsapp_outbound o "
        "ON o.reply_to = i.wamid AND o.reply_seq = 0 WHERE i.sender_id LIKE :p",
        p=pattern,
    )
    return [float(ms) for (ms,) in rows]


async def status_phase(stack: ProductionStack, base: str, count: int) -> dict:
    (before,) = tracker_events(stack)
    rows = stack.sql(
        "SELECT wamid, recipient_id FROM whatsapp_outbound WHERE wamid IS NOT NULL LIMIT 50"
    )
    acks: list[float] = []
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def one(i: int) -> None:
            wamid, recipient = rows[i % len(rows)]
            status = ("sent", "delivered", "read")[i % 3]
            raw = encode(status_webhook(wamid, recipient, status, phone=PHONE))
            headers = signed_headers(APP_SECRET, raw)
            start = time.perf_counter()
            answer = await client.post(
                base + "/webhooks/whatsapp/webhook", content=raw, headers=headers
            )
            if answer.status_code == 200:
                acks.append((time.perf_counter() - start) * 1000)

        await open_loop(40.0, count, one)
    await asyncio.sleep(3)
    (after,) = tracker_events(stack)
    return {
        "status_webhooks": count,
        "ack_p99_ms": pct(acks, 99),
        "tracker_events_added": after - before,
    }
