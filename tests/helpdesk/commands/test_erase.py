"""``helpdesk erase``: the operator's way to honour an erasure request."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered

from helpdesk.cli import main
from helpdesk.customers import get_customer, record_customer_seen
from helpdesk.db import session_scope
from helpdesk.settings import get_settings
from helpdesk.whatsapp import identity
from rasa_addons.tracker_store import ErasableSQLTrackerStore


async def _conversation(sender: str) -> ErasableSQLTrackerStore:
    store = ErasableSQLTrackerStore(domain=None, host=get_settings().tracker_store_url)
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("hola", intent={"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return store


async def test_erase_deletes_records_and_the_conversation(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with session_scope() as session:
        record_customer_seen(session, sender_id="34600000001", language="es")
        record_customer_seen(session, sender_id="34600000002", language="es")
    store = await _conversation("34600000001")
    await _conversation("34600000002")

    assert main(["erase", "34600000001", "--yes"]) == 0

    printed = capsys.readouterr().out
    assert "conversation (tracker)" in printed and "Erased." in printed
    assert await store.retrieve("34600000001") is None
    assert await store.retrieve("34600000002") is not None
    with session_scope() as session:
        assert get_customer(session, sender_id="34600000001") is None
        assert get_customer(session, sender_id="34600000002") is not None


async def test_erase_by_bsuid_deletes_the_conversation_kept_under_the_phone_number(
    database_url: str,
) -> None:
    # First seen by phone (the conversation's key), later Meta linked the BSUID to it.
    with session_scope() as session:
        identity.observe(session, phone="34600000009", user_id="ES.99001122")
        record_customer_seen(session, sender_id="34600000009", language="es")
    store = await _conversation("34600000009")
    assert main(["erase", "ES.99001122", "--yes"]) == 0
    assert await store.retrieve("34600000009") is None
    with session_scope() as session:
        assert get_customer(session, sender_id="34600000009") is None


def test_erase_asks_first_and_a_no_deletes_nothing(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with session_scope() as session:
        record_customer_seen(session, sender_id="34600000003", language="es")
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    assert main(["erase", "34600000003"]) == 1
    assert "Nothing was deleted" in capsys.readouterr().out
    with session_scope() as session:
        assert get_customer(session, sender_id="34600000003") is not None


def test_erase_without_a_tracker_store_still_erases_records(database_url: str) -> None:
    with session_scope() as session:
        record_customer_seen(session, sender_id="34600000004", language="en")
    assert main(["erase", "34600000004", "--yes"]) == 0
    with session_scope() as session:
        assert get_customer(session, sender_id="34600000004") is None
