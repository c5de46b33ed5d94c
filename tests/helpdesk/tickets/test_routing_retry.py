"""Defect 7: a locked database while a person has the case must not hand the customer's
message to the bot; the inbox retries it and it reaches the ticket."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

from helpdesk.db import session_scope
from helpdesk.tickets import core
from helpdesk.tickets.routing import route_to_agent
from helpdesk.whatsapp.inbox import InboxItem, InboxWorker
from tests.helpdesk.tickets.test_routing import SENDER, _open
from tests.helpdesk.whatsapp.test_inbox import _body, _statuses, _store, _until


def _lock(database_url: str, seconds: float) -> threading.Event:
    """Another process holds the write lock for ``seconds`` (longer than busy_timeout)."""
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(database_url[len("sqlite:///") :], isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        threading.Event().wait(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    threading.Thread(target=hold, daemon=True).start()
    locked.wait(5)
    return locked


async def test_a_locked_database_is_retried_by_the_inbox_never_sent_to_the_bot(
    database_url: str,
) -> None:
    ticket_id = _open()
    _store(database_url, _body(("w1", SENDER, 10, "is anyone there?")))
    to_bot: list[str] = []

    async def process(item: InboxItem) -> None:
        text = item.message["text"]["body"]
        if item.attempts == 1:  # the lock is taken while this turn is in flight
            await asyncio.to_thread(_lock, database_url, 5.5)
        if not await asyncio.to_thread(route_to_agent, sender_id=SENDER, text=text, metadata={}):
            to_bot.append(text)

    worker = InboxWorker(process, url=database_url, backoff=0.2, poll_interval=0.05)
    worker.start()
    await _until(lambda: _statuses(database_url).get("w1") == "done", timeout=30)
    await worker.stop()
    assert to_bot == []
    with session_scope() as session:
        texts = [m.text for m in core.messages(session, ticket_id=ticket_id)]
    assert "is anyone there?" in texts
