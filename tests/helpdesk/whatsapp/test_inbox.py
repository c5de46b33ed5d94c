"""The durable inbox with a real SQLite database: dedup, order, retries, poison, restart."""

from __future__ import annotations

import asyncio
import time

import pytest

from helpdesk.db import session_scope
from helpdesk.whatsapp import service
from helpdesk.whatsapp.inbox import InboxItem, InboxWorker
from helpdesk.whatsapp.webhook import parse


def _body(*messages: tuple[str, str, int, str]) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "P"},
                            "messages": [
                                {
                                    "from": sender,
                                    "id": wamid,
                                    "timestamp": str(ts),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                                for wamid, sender, ts, text in messages
                            ],
                        },
                    }
                ],
            }
        ],
    }


def _store(url: str, body: dict) -> tuple[int, int]:
    with session_scope(url) as session:
        return service.store_events(session, events=parse(body, phone_number_id="P"))


def _statuses(url: str) -> dict[str, str]:
    from sqlalchemy import select

    from helpdesk.db.models import InboxMessage

    with session_scope(url) as session:
        rows = session.execute(select(InboxMessage)).scalars()
        return {row.wamid: row.status for row in rows}


async def _until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


def test_a_redelivered_message_is_stored_once(database_url: str) -> None:
    body = _body(("w1", "A", 10, "hi"), ("w2", "A", 11, "again"))
    assert _store(database_url, body) == (2, 0)
    assert _store(database_url, body) == (0, 2)
    assert _store(database_url, _body(("w2", "A", 11, "again"), ("w3", "A", 12, "x"))) == (1, 1)
    assert len(_statuses(database_url)) == 3


def test_messages_for_another_number_are_not_stored(database_url: str) -> None:
    with session_scope(database_url) as session:
        events = parse(_body(("w1", "A", 10, "hi")), phone_number_id="OTHER")
        assert service.store_events(session, events=events) == (0, 0)
    assert _statuses(database_url) == {}


async def test_one_customer_in_timestamp_order_customers_in_parallel(database_url: str) -> None:
    # Arrives out of order, as Meta allows.
    _store(database_url, _body(("a3", "A", 30, "3"), ("b1", "B", 10, "1"), ("a1", "A", 10, "1")))
    _store(database_url, _body(("a2", "A", 20, "2"), ("b2", "B", 20, "2")))
    seen: list[str] = []
    running: set[str] = set()
    overlap: list[bool] = []

    async def process(item: InboxItem) -> None:
        assert item.sender_id not in running, "two messages of one customer at once"
        running.add(item.sender_id)
        overlap.append(len(running) > 1)
        await asyncio.sleep(0.05)
        seen.append(item.wamid)
        running.discard(item.sender_id)

    worker = InboxWorker(process, url=database_url, poll_interval=0.05)
    worker.start()
    await _until(lambda: set(_statuses(database_url).values()) == {"done"})
    await worker.stop()
    assert [w for w in seen if w.startswith("a")] == ["a1", "a2", "a3"]
    assert [w for w in seen if w.startswith("b")] == ["b1", "b2"]
    assert any(overlap), "different customers should be processed concurrently"
    assert set(_statuses(database_url).values()) == {"done"}


async def test_a_claim_prepares_each_message_and_a_failing_prepare_holds_none_back(
    database_url: str,
) -> None:
    """What a turn needs from the database first (the worker's ticket check and customer
    record) comes with the claim; when that work fails the message is claimed without it
    and still answered, in order."""
    _store(
        database_url, _body(("w1", "A", 10, "hi"), ("w2", "A", 11, "fail"), ("w3", "A", 12, "x"))
    )
    seen: list[tuple[str, object]] = []

    def prepare(session, item: InboxItem) -> str:  # type: ignore[no-untyped-def]
        if item.message["text"]["body"] == "fail":
            raise RuntimeError("no ticket lookup today")
        return f"prepared {item.wamid}"

    async def process(item: InboxItem) -> None:
        seen.append((item.wamid, item.prepared))

    worker = InboxWorker(process, url=database_url, poll_interval=0.05, prepare=prepare)
    worker.start()
    await _until(lambda: set(_statuses(database_url).values()) == {"done"})
    await worker.stop()
    assert seen == [("w1", "prepared w1"), ("w2", None), ("w3", "prepared w3")]


async def test_transient_failures_are_retried_then_succeed(database_url: str) -> None:
    _store(database_url, _body(("w1", "A", 10, "hi"), ("w2", "A", 11, "later")))
    attempts: list[str] = []

    async def process(item: InboxItem) -> None:
        attempts.append(item.wamid)
        if attempts.count("w1") < 3:
            raise ConnectionError("temporarily down")

    worker = InboxWorker(process, url=database_url, backoff=0.05, poll_interval=0.05)
    worker.start()
    await _until(lambda: _statuses(database_url).get("w2") == "done")
    await worker.stop()
    # w1 retried twice, and w2 waited for it: the order holds across retries
    assert attempts == ["w1", "w1", "w1", "w2"]
    assert _statuses(database_url) == {"w1": "done", "w2": "done"}


async def test_a_poison_message_is_marked_and_the_customer_told(database_url: str) -> None:
    _store(database_url, _body(("w1", "A", 10, "boom"), ("w2", "A", 11, "fine")))
    told: list[tuple[str, str]] = []
    done: list[str] = []

    async def process(item: InboxItem) -> None:
        if item.wamid == "w1":
            raise ValueError("cannot handle this")
        done.append(item.wamid)

    async def on_poison(item: InboxItem, error: BaseException) -> None:
        told.append((item.sender_id, str(error)))

    worker = InboxWorker(
        process, on_poison=on_poison, url=database_url, max_attempts=3, backoff=0.02,
        poll_interval=0.05,
    )  # fmt: skip
    worker.start()
    await _until(lambda: _statuses(database_url).get("w2") == "done")
    await worker.stop()
    assert told == [("A", "cannot handle this")]
    assert _statuses(database_url) == {"w1": "failed", "w2": "done"}


async def test_rows_left_by_a_crash_are_processed_after_restart(database_url: str) -> None:
    _store(database_url, _body(("w1", "A", 10, "hi"), ("w2", "A", 11, "more")))
    started = asyncio.Event()

    async def hang(item: InboxItem) -> None:
        started.set()
        await asyncio.sleep(3600)

    first = InboxWorker(hang, url=database_url, lease=0.5, poll_interval=0.05)
    first.start()
    await asyncio.wait_for(started.wait(), 5)
    await first.stop(grace=0)  # the process "dies" holding w1's lease
    assert _statuses(database_url)["w1"] == "processing"

    seen: list[str] = []

    async def process(item: InboxItem) -> None:
        seen.append(item.wamid)

    second = InboxWorker(process, url=database_url, lease=0.5, poll_interval=0.05)
    second.start()
    await _until(lambda: set(_statuses(database_url).values()) == {"done"})
    await second.stop()
    assert seen == ["w1", "w2"]
    assert set(_statuses(database_url).values()) == {"done"}


async def test_a_wake_up_naming_the_customer_takes_the_message_without_scanning_the_inbox(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest names who wrote: the worker claims that customer's message at once, long
    before its next poll, and without asking the inbox which customers are due."""
    from helpdesk.whatsapp import inbox

    scans: list[int] = []
    real = inbox.due_senders

    def counted(session, **kwargs):  # type: ignore[no-untyped-def]
        scans.append(1)
        return real(session, **kwargs)

    monkeypatch.setattr(inbox, "due_senders", counted)
    seen: list[str] = []

    async def process(item: InboxItem) -> None:
        seen.append(item.wamid)

    worker = InboxWorker(process, url=database_url, poll_interval=3600)
    worker.start()
    await _until(lambda: len(scans) == 1)  # the start's look at the (empty) inbox
    senders: list[str] = []
    with session_scope(database_url) as session:
        service.store_events(
            session, events=parse(_body(("w1", "A", 10, "hi")), phone_number_id="P"),
            senders=senders,
        )  # fmt: skip
    assert senders == ["A"]
    worker.wake(senders)
    await _until(lambda: _statuses(database_url) == {"w1": "done"})
    await worker.stop()
    assert seen == ["w1"]
    assert len(scans) == 1


def test_an_announcement_names_the_customers_and_an_old_one_names_none() -> None:
    from helpdesk.whatsapp import wakeup

    assert wakeup.decode(wakeup.encode(["34600000001", "US.1234"])) == ["34600000001", "US.1234"]
    assert wakeup.decode(wakeup.encode([])) == []
    assert wakeup.decode(b"1") == []  # from an ingest of the previous release: look in the inbox


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_statuses_never_move_backwards(database_url: str, status: str) -> None:
    from helpdesk.whatsapp.records import (
        apply_status,
        get_outbound,
        mark_accepted,
        record_outbound,
    )
    from helpdesk.whatsapp.webhook import Status

    with session_scope(database_url) as session:
        outbound_id = record_outbound(session, recipient_id="A", payload={"type": "text"})
        mark_accepted(session, outbound_id=outbound_id, wamid="out1")
        apply_status(session, status=Status("out1", status, "A", 1))
        apply_status(session, status=Status("out1", "sent", "A", 2))
        [row] = get_outbound(session, recipient_id="A")
        assert row.status == status


def test_a_status_that_overtakes_the_send_record_is_kept(database_url: str) -> None:
    from helpdesk.whatsapp.records import (
        apply_status,
        get_outbound,
        mark_accepted,
        record_outbound,
    )
    from helpdesk.whatsapp.webhook import Status

    with session_scope(database_url) as session:
        outbound_id = record_outbound(session, recipient_id="A", payload={"type": "text"})
    with session_scope(database_url) as session:  # Meta's webhook arrives first
        apply_status(session, status=Status("out2", "delivered", "A", 1))
    with session_scope(database_url) as session:
        mark_accepted(session, outbound_id=outbound_id, wamid="out2")
    with session_scope(database_url) as session:
        [row] = get_outbound(session, recipient_id="A")
        assert (row.wamid, row.status, row.type) == ("out2", "delivered", "text")


def test_a_status_written_while_the_send_is_being_recorded_is_folded_in(
    database_url: str,
) -> None:
    """The status webhook's row lands between the sender's look for it and its write of
    the wamid (two processes; on SQLite the look is outside the write transaction): the
    write breaks the wamid's unique constraint, and ``write`` runs it again, which folds
    the status in instead of failing the send (an agent's reply answered 500 before)."""
    from helpdesk.whatsapp.records import apply_status, get_outbound, mark_accepted, record_outbound
    from helpdesk.whatsapp.webhook import Status
    from helpdesk.whatsapp.writes import write

    with session_scope(database_url) as session:
        outbound_id = record_outbound(session, recipient_id="A", payload={"type": "text"})
    runs: list[int] = []

    def record_the_send(session, *, outbound_id: int, wamid: str) -> None:  # type: ignore[no-untyped-def]
        mark_accepted(session, outbound_id=outbound_id, wamid=wamid)
        runs.append(outbound_id)
        if len(runs) == 1:  # the status webhook commits before this transaction does
            with session_scope(database_url) as other:
                apply_status(other, status=Status("out3", "delivered", "A", 1))

    write(record_the_send, url=database_url, outbound_id=outbound_id, wamid="out3")
    assert len(runs) == 2
    with session_scope(database_url) as session:
        [row] = get_outbound(session, recipient_id="A")
        assert (row.wamid, row.status, row.type) == ("out3", "delivered", "text")


def test_a_payload_too_long_for_a_button_id_travels_under_a_short_id(database_url: str) -> None:
    from helpdesk.whatsapp.records import choice_id, resolve_choice

    payload = '/choose_product{"product": "' + "washing machine " * 20 + '"}'
    with session_scope(database_url) as session:
        short = choice_id(session, payload=payload)
        assert len(short) <= 200 and short != payload
        assert choice_id(session, payload="/affirm") == "/affirm"
    with session_scope(database_url) as session:
        assert resolve_choice(session, choice=short) == payload
        assert resolve_choice(session, choice="/affirm") == "/affirm"


def test_erasure_removes_the_customers_whatsapp_records(database_url: str) -> None:
    from helpdesk.erasure import erase_customer
    from helpdesk.whatsapp.records import get_outbound, record_outbound, record_reaction

    _store(database_url, _body(("w1", "A", 10, "hi"), ("w2", "B", 10, "hi")))
    with session_scope(database_url) as session:
        record_outbound(session, recipient_id="A", payload={"type": "text"})
        record_reaction(session, sender_id="A", message_wamid="x", emoji="👍")
    report = erase_customer(sender_id="A", url=database_url)
    assert report.deleted["helpdesk.whatsapp.records:erase_all"] == 3
    # Only a tombstone of A's newest message is left (no words: it keeps the window open).
    assert _statuses(database_url) == {"w1": "done", "w2": "pending"}
    with session_scope(database_url) as session:
        from helpdesk.db.models import InboxMessage

        tombstone = session.query(InboxMessage).filter_by(wamid="w1").one()
        assert (tombstone.type, tombstone.body) == ("erased", "{}")
        assert get_outbound(session, recipient_id="A") == []
