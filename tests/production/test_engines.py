"""The parts replicas share, on the real engines (scripts/services.sh): the migrations and
the inbox claims on PostgreSQL, replies not sent twice by a replayed turn, and the
outbound pacing budget in Redis against the sandbox's Meta-like throughput limit."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from helpdesk import db
from helpdesk.whatsapp import inbox, service
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.replay import Answering, reply_scope
from helpdesk.whatsapp.webhook import parse
from tests.production.stack import migrated_services
from tests.support.servers import serve_app
from tests.support.webhooks import encode, messages_webhook, text_message

# HELPDESK_TEST_BASE_PORT: where this machine's user's ports start (as for the stack).
_BASE = int(os.environ.get("HELPDESK_TEST_BASE_PORT", "25100")) + 51
PORTS = {
    "SERVICES_PG_PORT": str(_BASE),
    "SERVICES_REDIS_PORT": str(_BASE + 1),
    "SERVICES_S3_PORT": str(_BASE + 2),
}
PHONE = "100000000000001"


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("engines")
    with migrated_services(folder, PORTS) as values:
        yield values


@pytest.fixture
def pg(engines: dict[str, str]) -> str:
    url = engines["HELPDESK_DATABASE_URL"]
    with db.session_scope(url) as session:
        session.execute(text("TRUNCATE whatsapp_inbox, whatsapp_outbound RESTART IDENTITY"))
    return url


def _webhook(sender: str, count: int) -> bytes:
    messages = [
        text_message(sender, f"wamid.order.{sender}.{i}", f"message {i}") for i in range(count)
    ]
    return encode(messages_webhook(messages, phone=PHONE, name="A"))


def test_the_migrations_run_on_postgresql(engines: dict[str, str]) -> None:
    url = engines["HELPDESK_DATABASE_URL"]
    db.upgrade(url)  # a second time: nothing to do, no error
    newest = ScriptDirectory(str(db.MIGRATIONS_DIR)).get_current_head()
    assert newest is not None
    assert db.current_revision(url) == newest


def test_two_workers_claiming_at_once_take_each_message_once_and_in_order(pg: str) -> None:
    """Eight threads (as if on several replicas) race for one customer's ten messages."""
    with db.session_scope(pg) as session:
        service.store_events(
            session, events=parse(_webhook("34600000001", 10), phone_number_id=PHONE)
        )
    taken: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with db.session_scope(pg) as session:
                item = inbox.claim_next(session, sender_id="34600000001", lease=30)
            if item is None:
                with db.session_scope(pg) as session:
                    left = inbox.counts(session).get("pending", 0)
                if not left:
                    return
                continue
            with lock:
                taken.append(item.wamid)
            with db.session_scope(pg) as session:
                inbox.finish(session, item_id=item.id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert taken == [f"wamid.order.34600000001.{i}" for i in range(10)]


async def test_the_last_message_of_a_customer_is_marked_done_without_another_claim(
    pg: str,
) -> None:
    """A customer's last message (as claimed) has its done mark written with the worker's
    next transaction; a customer's burst is still taken in order at once, without waiting
    for the inbox poll, and every row ends done."""
    with db.session_scope(pg) as session:
        events = parse(_webhook("34600000003", 3), phone_number_id=PHONE)
        for sender in ("34600000004", "34600000005"):
            events.messages += parse(_webhook(sender, 1), phone_number_id=PHONE).messages
        service.store_events(session, events=events)
    seen: list[tuple[str, bool]] = []

    async def process(item: inbox.InboxItem) -> None:
        seen.append((item.wamid, item.more))

    # No poll during the test: only the wake-up and the drains' own claims take messages.
    worker = inbox.InboxWorker(process, url=pg, poll_interval=60.0)
    worker.start()
    await asyncio.sleep(0.5)  # the first poll looks once, at start
    worker.wake(["34600000003"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with db.session_scope(pg) as session:
            if inbox.counts(session) == {"done": 5}:
                break
        await asyncio.sleep(0.1)
    await worker.stop()
    with db.session_scope(pg) as session:
        assert inbox.counts(session) == {"done": 5}
    burst = [(w, more) for w, more in seen if "34600000003" in w]
    assert burst == [(f"wamid.order.34600000003.{i}", i < 2) for i in range(3)]
    assert ("wamid.order.34600000004.0", False) in seen


def test_only_one_worker_at_a_time_looks_for_due_customers(pg: str) -> None:
    """Every wake-up reaches every worker; one scans the inbox, the others look again."""
    with db.session_scope(pg) as session:
        service.store_events(
            session, events=parse(_webhook("34600000002", 2), phone_number_id=PHONE)
        )
    with db.session_scope(pg) as first:
        assert inbox.due_senders(first) == ["34600000002"]
        with db.session_scope(pg) as second:  # another replica, while the first one looks
            assert inbox.due_senders(second) is None
    with db.session_scope(pg) as later:  # the first one's transaction is over
        assert inbox.due_senders(later) == ["34600000002"]


@pytest.mark.parametrize("claimed", [True, False])
async def test_a_replayed_turn_does_not_send_its_replies_again(pg: str, claimed: bool) -> None:
    """The first run of a turn died after its first reply; the replay sends only the rest
    (``claimed``: the worker's claim knew the customer, the replies are reserved at once)."""
    from helpdesk.sandbox.app import SandboxConfig, create_app

    config = SandboxConfig(
        access_token="t", app_secret="s", phone_number_id=PHONE, webhook_url="http://127.0.0.1:9"
    )
    app = create_app(config)
    with db.session_scope(pg) as session:
        events = parse(_webhook("34600000002", 1), phone_number_id=PHONE)
        service.store_events(session, events=events)
    with serve_app(app, path="/sandbox/health") as url:
        client = GraphClient(base_url=url, access_token="t", phone_number_id=PHONE, retries=0)
        sender = Sender(client, url=pg)
        wamid = "wamid.order.34600000002.0"
        known = Answering("34600000002", int(time.time()), "34600000002", None) if claimed else None
        with reply_scope(wamid, known):  # the first run: one reply out, then the replica died
            await sender.text("34600000002", "first")
        with reply_scope(wamid, known):  # the replay: the same two replies
            await sender.text("34600000002", "first (another variation)")
            await sender.text("34600000002", "second")
        await client.aclose()
        seen = app.state.sandbox.customer("34600000002").items
    bodies = [i["payload"]["text"]["body"] for i in seen if i["direction"] == "outbound"]
    assert bodies == ["first", "second"]


async def test_a_connection_dropped_as_meta_accepts_a_reply_does_not_send_it_twice(
    pg: str,
) -> None:
    """The database drops the worker's connection just as it records the wamid Meta gave
    a reply (pg_terminate_backend from outside, at that very statement). The reply went
    out; the customer must not get it again when the turn is retried."""
    from sqlalchemy import event

    from helpdesk.sandbox.app import SandboxConfig, create_app

    customer = "34600000004"
    with db.session_scope(pg) as session:
        service.store_events(session, events=parse(_webhook(customer, 1), phone_number_id=PHONE))
    outside = create_engine_for(pg)
    dropped: list[int] = []

    def drop_at_the_wamid(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if dropped or not statement.startswith("UPDATE whatsapp_outbound SET"):
            return
        if "wamid" not in statement.split("WHERE")[0]:
            return
        pid = cursor.connection.get_backend_pid()
        with outside.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        dropped.append(pid)

    config = SandboxConfig(
        access_token="t", app_secret="s", phone_number_id=PHONE, webhook_url="http://127.0.0.1:9"
    )
    app = create_app(config)
    # Whichever connection records the wamid: the one that commits it by itself
    # (``at_once``), or the patient transaction's when that one failed.
    engines = [db.get_engine(pg), db.get_engine(pg, autocommit=True)]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", drop_at_the_wamid)
    try:
        with serve_app(app, path="/sandbox/health") as url:
            client = GraphClient(base_url=url, access_token="t", phone_number_id=PHONE, retries=0)
            sender = Sender(client, url=pg)

            async def turn(item: inbox.InboxItem) -> None:
                await sender.text(item.sender_id, "hello, how can I help?")

            worker = inbox.InboxWorker(turn, url=pg, backoff=0.1, poll_interval=0.1)
            worker.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with db.session_scope(pg) as session:
                    if inbox.counts(session).get("done") == 1:
                        break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # a retry of the turn would send again here
            await worker.stop()
            await client.aclose()
            seen = app.state.sandbox.customer(customer).items
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", drop_at_the_wamid)
        outside.dispose()
    assert dropped, "the connection was never dropped: the test did not test anything"
    sent = [i for i in seen if i["direction"] == "outbound"]
    assert len(sent) == 1, f"the customer got the reply {len(sent)} times"
    with db.session_scope(pg) as session:
        status = inbox.counts(session)
        wamids = session.execute(text("SELECT wamid FROM whatsapp_outbound")).scalars().all()
    assert status == {"done": 1}
    assert wamids == [sent[0]["id"]]  # the reply's record kept what Meta called it


@pytest.mark.parametrize("claimed", [True, False])
async def test_a_reply_sent_by_a_worker_that_died_before_recording_it_is_not_sent_again(
    pg: str, claimed: bool
) -> None:
    """``kill -9`` right after Meta accepted a reply: the wamid never reached the database.
    Meta's status webhooks name the reply (the key we sent as biz_opaque_callback_data),
    so the replay of the turn, after the lease, finds it sent."""
    from helpdesk.sandbox.app import SandboxConfig, create_app
    from helpdesk.whatsapp.records import reserve_reply
    from helpdesk.whatsapp.replay import callback_data

    customer, wamid = "34600000005", "wamid.order.34600000005.0"
    with db.session_scope(pg) as session:
        service.store_events(session, events=parse(_webhook(customer, 1), phone_number_id=PHONE))
    config = SandboxConfig(
        access_token="t", app_secret="s", phone_number_id=PHONE, webhook_url="http://127.0.0.1:9"
    )
    app = create_app(config)
    with serve_app(app, path="/sandbox/health") as url:
        client = GraphClient(base_url=url, access_token="t", phone_number_id=PHONE, retries=0)
        sender = Sender(client, url=pg)
        # The first run: the reply reserved and accepted by Meta, then the process died.
        body = {
            "messaging_product": "whatsapp",
            "to": customer,
            "type": "text",
            "text": {"body": "hello"},
            "biz_opaque_callback_data": callback_data((wamid, 0)),
        }
        with db.session_scope(pg) as session:
            reserve_reply(session, recipient_id=customer, payload=body, reply_to=wamid, reply_seq=0)
        sent = await client.send(body)
        # Meta's "sent" status for it, as the sandbox builds it, reaches the webhook.
        item = next(i for i in app.state.sandbox.customer(customer).items if i["id"] == sent)
        status = app.state.notifier.status_body(item, customer, "sent")
        with db.session_scope(pg) as session:
            service.store_events(
                session, events=parse(json.dumps(status).encode(), phone_number_id=PHONE)
            )
        known = Answering(customer, int(time.time()), customer, None) if claimed else None
        with reply_scope(wamid, known):  # the replay
            again = await sender.text(customer, "hello (another variation)")
        await client.aclose()
        seen = app.state.sandbox.customer(customer).items
    assert again == [sent]
    assert [i["id"] for i in seen if i["direction"] == "outbound"] == [sent]


def create_engine_for(url: str):  # type: ignore[no-untyped-def]
    """A connection of its own (not from the product's pool), as an operator's would be."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool, future=True)


@pytest.mark.parametrize("shared", [True, False])
async def test_replicas_share_the_outbound_pacing_budget(
    engines: dict[str, str], shared: bool
) -> None:
    """Two replicas, each allowed Meta's rate for the number, together stay under it only
    when they pace through Redis (without it Meta refuses some sends with 130429)."""
    import redis

    from helpdesk.errors import GraphAPIError
    from helpdesk.sandbox.app import SandboxConfig, create_app

    redis.Redis.from_url(engines["HELPDESK_REDIS_URL"]).flushdb()
    rate = 10.0
    config = SandboxConfig(
        access_token="t",
        app_secret="s",
        phone_number_id=PHONE,
        webhook_url="http://127.0.0.1:9",
        messages_per_second=rate,
    )
    app = create_app(config)
    with serve_app(app, path="/sandbox/health") as url:
        replicas = [
            GraphClient(
                base_url=url,
                access_token="t",
                phone_number_id=PHONE,
                messages_per_second=rate,
                retries=0,
                redis_url=engines["HELPDESK_REDIS_URL"] if shared else None,
            )
            for _ in range(2)
        ]
        body = {"messaging_product": "whatsapp", "to": "34600000003", "type": "text"}

        async def send_all(client: GraphClient, n: int) -> int:
            refused = 0
            for i in range(n):
                try:
                    await client.send({**body, "text": {"body": f"m{i}"}})
                except GraphAPIError as error:
                    assert error.code == 130429
                    refused += 1
            return refused

        refused = sum(await asyncio.gather(*(send_all(c, 20) for c in replicas)))
        for client in replicas:
            await client.aclose()
    if shared:
        assert refused == 0
    else:
        assert refused > 0  # the control: the limit is real, so the shared run means it


def test_media_go_to_s3_and_any_replica_reads_them(engines: dict[str, str], tmp_path: Path) -> None:
    import boto3

    from helpdesk.store import open_store
    from tests.support.blobs import png_blob

    env = {key: engines[key] for key in engines if key.startswith("AWS_")}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        key = "k1:" + base64.b64encode(bytes(32)).decode()
        store = open_store(engines["HELPDESK_MEDIA_STORE"], key)
        stored = store.put(png_blob(b"a photo"), mime="image/png")
        s3 = boto3.client("s3")
        names = [o["Key"] for o in s3.list_objects_v2(Bucket="helpdesk-media")["Contents"]]
        assert any(stored.sha256 in name for name in names)
        other = open_store(engines["HELPDESK_MEDIA_STORE"], key)  # another replica
        assert other.get(stored.sha256).startswith(b"\x89PNG")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_pooled_connections_the_database_ended_are_replaced_before_use(pg: str) -> None:
    """The database ends every idle connection of the pool (a restart, an administrator's
    pg_terminate_backend): the next transactions run on fresh connections instead of
    failing, though no ``SELECT 1`` precedes each checkout any more."""
    engine = db.get_engine(pg)
    sessions = [db.session_scope(pg) for _ in range(3)]
    pids = set()
    for scope in sessions:  # three connections checked out at once, then back in the pool
        session = scope.__enter__()
        pids.add(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    for scope in reversed(sessions):
        scope.__exit__(None, None, None)
    outside = create_engine_for(pg)
    with outside.connect() as other:
        for pid in pids:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    outside.dispose()
    time.sleep(0.2)  # the FATAL message and the close reach our sockets
    for _ in range(3):
        with db.session_scope(pg) as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert pid not in pids, "a transaction ran on a connection the database had ended"
    assert engine.pool.checkedout() == 0
