"""Replies reach a username-only customer with ``recipient`` and a phone customer with
``to``; the 24-hour window and the statuses follow the identity (sandbox + real SQLite)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from helpdesk.db import session_scope
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.records import get_outbound
from helpdesk.whatsapp.states import OutboundStatus
from tests.helpdesk.whatsapp.conftest import Stack

BSUID, NUMBER = "US.77001122334455667788", "15557654321"


async def test_a_username_only_customer_is_answered_with_recipient(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID, username="@ana.b")
    wamids = await sender.choices(
        BSUID, "Is the screen cracked?", [{"title": "Yes", "payload": "/affirm"}]
    )
    assert all(wamids)
    body = stack.sent(BSUID)[-1]
    assert body["recipient"] == BSUID and "to" not in body


async def test_a_phone_customer_is_answered_with_to(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, NUMBER)  # the sandbox sends the number and a BSUID
    await sender.text(NUMBER, "hello")
    body = stack.sent(NUMBER)[-1]
    assert body["to"] == NUMBER and "recipient" not in body


async def test_statuses_by_bsuid_reach_the_message_and_record_its_pricing(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID, username="@ana.b")
    before = len(stack.received)
    [wamid] = await sender.text(BSUID, "Thanks, a colleague will look at it.")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        new = stack.received[before:]
        before += len(new)
        stack.store(database_url, new)
        with session_scope(database_url) as session:
            row = next(r for r in get_outbound(session, recipient_id=BSUID) if r.wamid == wamid)
            if row.status == OutboundStatus.DELIVERED:
                break
        time.sleep(0.05)
    assert row.status == OutboundStatus.DELIVERED
    assert (row.category, row.billable, row.pricing_type) == ("service", True, "regular")


async def test_the_window_is_kept_per_identity(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    # The customer last wrote two days ago under their BSUID: only the template may go out.
    stack.say(database_url, BSUID, timestamp=int(time.time()) - 2 * 24 * 3600)
    await sender.text(BSUID, "are you still there?")
    body = stack.sent(BSUID)[-1]
    assert body["type"] == "template" and body["recipient"] == BSUID


async def test_a_played_voice_note_is_recorded_as_played(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID)
    before = len(stack.received)
    voice = Path(__file__).parent / "note.ogg"
    voice.write_bytes(b"OggS" + b"\0" * 64)
    try:
        [wamid] = await sender.media(BSUID, "audio", str(voice))
    finally:
        voice.unlink()
    httpx.get(f"{stack.url}/sandbox/customers/{BSUID}/messages")  # the customer opens the chat
    deadline = time.monotonic() + 5
    status = None
    while time.monotonic() < deadline and status != OutboundStatus.PLAYED:
        new = stack.received[before:]
        before += len(new)
        stack.store(database_url, new)
        with session_scope(database_url) as session:
            rows = get_outbound(session, recipient_id=BSUID)
            status = next(r.status for r in rows if r.wamid == wamid)
        time.sleep(0.05)
    assert status == OutboundStatus.PLAYED
