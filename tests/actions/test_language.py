from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionDetectLanguage
from helpdesk.customers import get_customer
from helpdesk.db import session_scope


async def test_spanish_message_sets_language_and_records_customer(
    database_url: str, tracker_for
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("mi pago falló y me cobraron dos veces")
    events = await ActionDetectLanguage().run(dispatcher, tracker, domain={})
    assert events == [SlotSet("language", "es")]
    assert dispatcher.messages == []
    with session_scope() as session:
        assert get_customer(session, sender_id="15551234567").language == "es"


async def test_button_payload_keeps_the_current_language(database_url: str, tracker_for) -> None:
    tracker = tracker_for("/affirm", slots={"language": "es"})
    assert await ActionDetectLanguage().run(CollectingDispatcher(), tracker, domain={}) == []


async def test_caption_of_a_photo_decides_the_language(database_url: str, tracker_for) -> None:
    tracker = tracker_for(
        "/media_shared",
        intent="media_shared",
        metadata={"caption": "se rompió la pantalla al abrir la caja"},
    )
    events = await ActionDetectLanguage().run(CollectingDispatcher(), tracker, domain={})
    assert events == [SlotSet("language", "es")]


async def test_undecidable_first_message_uses_the_default_language(
    database_url: str, tracker_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_DEFAULT_LANGUAGE", "es")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    events = await ActionDetectLanguage().run(CollectingDispatcher(), tracker_for("E21"), {})
    assert events == [SlotSet("language", "es")]


async def test_database_outage_does_not_stop_the_conversation(
    tmp_path, tracker_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database that was never migrated: recording fails, the slot is still set.
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    events = await ActionDetectLanguage().run(
        CollectingDispatcher(), tracker_for("my payment failed twice"), domain={}
    )
    assert events == [SlotSet("language", "en")]
