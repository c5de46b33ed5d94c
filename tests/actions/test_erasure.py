from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.erasure import ActionEraseMyData
from helpdesk.customers import get_customer, record_customer_seen
from helpdesk.db import session_scope
from helpdesk.db.models import ErasureRecord
from helpdesk.erasure import subject_hash


async def test_erasure_deletes_the_customer_and_leaves_an_anonymous_record(
    database_url: str, tracker_for
) -> None:
    with session_scope() as session:
        record_customer_seen(session, sender_id="15551234567", language="en")
        record_customer_seen(session, sender_id="15559999999", language="es")
    dispatcher = CollectingDispatcher()

    events = await ActionEraseMyData().run(dispatcher, tracker_for("yes"), domain={})

    assert events == [SlotSet("erasure_completed", True)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_erasure_done"]
    with session_scope() as session:
        assert get_customer(session, sender_id="15551234567") is None
        assert get_customer(session, sender_id="15559999999") is not None  # someone else
        record = session.execute(select(ErasureRecord)).scalar_one()
        assert record.subject_hash == subject_hash("15551234567")
        assert "15551234567" not in record.summary


async def test_failed_erasure_tells_the_customer_and_keeps_the_conversation(
    tmp_path, tracker_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/not-migrated.db")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    dispatcher = CollectingDispatcher()
    events = await ActionEraseMyData().run(dispatcher, tracker_for("yes"), domain={})
    assert events == []  # no erasure marker: the tracker store keeps the conversation
    assert [m["response"] for m in dispatcher.messages] == ["utter_erasure_failed"]


async def test_the_erasure_record_cannot_be_reversed_by_hashing_numbers(
    database_url: str, tracker_for
) -> None:
    import hashlib

    from helpdesk.erasure import was_erased

    await ActionEraseMyData().run(CollectingDispatcher(), tracker_for("yes"), domain={})
    with session_scope() as session:
        record = session.execute(select(ErasureRecord)).scalar_one()
        # An unsalted hash of the number is what anyone could compute from a phone book.
        assert record.subject_hash != hashlib.sha256(b"15551234567").hexdigest()
        assert was_erased(session, sender_id="15551234567")
        assert not was_erased(session, sender_id="15551234568")
