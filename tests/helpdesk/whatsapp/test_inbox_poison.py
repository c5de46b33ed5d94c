"""Defect 2: a message whose processing kills the process is not retried forever: after
the attempt limit it becomes poison, the customer is told, and their next messages go on."""

from __future__ import annotations

import asyncio

from helpdesk.whatsapp.inbox import InboxItem, InboxWorker
from tests.helpdesk.whatsapp.test_inbox import _body, _statuses, _store


async def test_a_message_that_keeps_killing_the_process_becomes_poison(database_url) -> None:
    _store(database_url, _body(("w1", "A", 10, "kills"), ("w2", "A", 11, "fine")))
    claims: list[str] = []
    told: list[str] = []
    done: list[str] = []

    async def process(item: InboxItem) -> None:
        claims.append(item.wamid)
        if item.wamid == "w1":
            await asyncio.sleep(3600)  # the process "dies" mid-turn: the lease runs out
        done.append(item.wamid)

    async def on_poison(item: InboxItem, error: BaseException) -> None:
        told.append(item.wamid)

    for _ in range(6):  # six restarts of a process that dies on w1
        worker = InboxWorker(
            process, on_poison=on_poison, url=database_url, lease=0.2, poll_interval=0.02,
            max_attempts=3,
        )  # fmt: skip
        worker.start()
        await asyncio.sleep(0.3)
        await worker.stop(grace=0)
        await asyncio.sleep(0.25)  # the dead process's lease expires
    assert claims.count("w1") == 3  # never re-claimed past the limit
    assert _statuses(database_url) == {"w1": "failed", "w2": "done"}
    assert told == ["w1"]  # the customer hears that their message could not be handled
    assert done == ["w2"]  # and their next message went on
