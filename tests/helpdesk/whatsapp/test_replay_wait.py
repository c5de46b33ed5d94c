"""A replayed turn and the reply its dead predecessor was sending when it stopped.

The first run reserved the reply and sent it, and stopped before Meta's answer came back
(``kill -9``; here the task is cancelled while the sandbox holds the answer). Whether the
customer has it is known only from Meta's status webhooks, which name the reply by the key
it carried. The replay waits for them (up to ``confirm_wait`` after the reservation) and
sends the reply again only when none came.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from helpdesk.db import session_scope
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.records import get_outbound
from helpdesk.whatsapp.replay import reply_scope
from tests.helpdesk.whatsapp.conftest import Stack


def _fault(stack: Stack, kind: str, delay: float) -> None:
    answer = httpx.post(
        f"{stack.url}/sandbox/faults",
        json={"target": "sends", "kind": kind, "count": 1, "delay": delay},
    )
    assert answer.status_code == 200, answer.text


async def _first_run_stops_while_sending(sender: Sender, wa_id: str, wamid: str) -> None:
    """Reply 0 to ``wamid`` is reserved and posted; the process stops before the answer."""
    with reply_scope(wamid):
        task = asyncio.create_task(sender.text(wa_id, "Hola, ¿en qué puedo ayudarte?"))
    await asyncio.sleep(0.5)
    assert not task.done(), "the sandbox answered at once: the fault did not hold it"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _store_webhooks_while(
    stack: Stack, database_url: str, work: asyncio.Task, start: int = 0
) -> None:
    """Store the sandbox's webhooks as the bot's webhook would, until ``work`` is done."""
    seen = start
    while not work.done():
        bodies = stack.received[seen:]
        seen += len(bodies)
        await asyncio.to_thread(stack.store, database_url, bodies)
        await asyncio.sleep(0.05)


async def test_a_reply_meta_accepted_before_the_crash_waits_for_its_status(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    """Meta accepted the reply (the customer has it); its answer and statuses come 1.5 s
    later. The replay finds the reply reserved without a wamid and waits: the status names
    the reply, so it is not sent again."""
    wa_id, wamid = "34600111001", "wamid.replay.wait.1"
    stack.say(database_url, wa_id)
    _fault(stack, "accepted_late", delay=1.5)
    before = len(stack.received)
    await _first_run_stops_while_sending(sender, wa_id, wamid)
    assert len(stack.sent(wa_id)) == 1  # the customer has it

    sender.confirm_wait = 30.0
    with reply_scope(wamid):
        replay = asyncio.create_task(sender.text(wa_id, "Hola, ¿en qué puedo ayudarte?"))
    await _store_webhooks_while(stack, database_url, replay, start=before)
    sent = replay.result()

    assert len(stack.sent(wa_id)) == 1, "the replay sent the reply a second time"
    with session_scope(database_url) as session:
        rows = get_outbound(session, recipient_id=wa_id)
        assert [(r.reply_to, r.reply_seq, r.wamid) for r in rows] == [(wamid, 0, sent[0])]


async def test_a_reply_that_never_reached_meta_is_sent_after_the_wait(
    database_url: str, stack: Stack, sender: Sender, caplog: pytest.LogCaptureFixture
) -> None:
    """The first run's request never reached WhatsApp, so no status will ever come: after
    the wait the replay sends the reply, once, and says it may be a duplicate."""
    wa_id, wamid = "34600111002", "wamid.replay.wait.2"
    stack.say(database_url, wa_id)
    _fault(stack, "lost", delay=5.0)
    await _first_run_stops_while_sending(sender, wa_id, wamid)
    assert stack.sent(wa_id) == []

    sender.confirm_wait = 1.0
    with caplog.at_level(logging.WARNING), reply_scope(wamid):
        sent = await sender.text(wa_id, "Hola, ¿en qué puedo ayudarte?")

    assert [p["text"]["body"] for p in stack.sent(wa_id)] == ["Hola, ¿en qué puedo ayudarte?"]
    assert sent[0] is not None
    assert "possible duplicate" in caplog.text
