"""The language slot is set inside Rasa, from the message alone, on the turn's first
prediction: the reply is in the customer's language with no action-server call."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.language_policy import language_events


def _tracker(text: str, *, language: str | None = None, metadata=None, after=()):
    events = [ActionExecuted("action_listen")]
    if language:
        events.insert(0, SlotSet("language", language))
    events += [UserUttered(text, metadata=metadata or {}), ActionExecuted("action_extract_slots")]
    events += list(after)
    return DialogueStateTracker.from_events("15551234567", events, slots=[_language_slot()])


def _language_slot():  # type: ignore[no-untyped-def]
    from rasa.shared.core.slots import CategoricalSlot

    return CategoricalSlot("language", mappings=[{"type": "custom"}], values=["en", "es"])


def test_a_spanish_message_sets_the_slot() -> None:
    events = language_events(_tracker("mi pago falló y me cobraron dos veces"))
    assert events == [SlotSet("language", "es")]


@pytest.mark.parametrize("text", ["ok", "/affirm", "E21", "no"])
def test_short_or_ambiguous_text_keeps_the_current_language(text: str) -> None:
    assert language_events(_tracker(text, language="es")) == []


def test_a_clear_switch_changes_the_language() -> None:
    tracker = _tracker("actually I was charged twice for the same order", language="es")
    assert language_events(tracker) == [SlotSet("language", "en")]


def test_a_photo_caption_counts_as_what_the_customer_wrote() -> None:
    tracker = _tracker("/media_shared", metadata={"caption": "se rompió la pantalla al abrirla"})
    assert language_events(tracker) == [SlotSet("language", "es")]


def test_the_channels_decision_wins() -> None:
    tracker = _tracker("ok", language="en", metadata={"language": "es"})
    assert language_events(tracker) == [SlotSet("language", "es")]


def test_unknown_metadata_language_is_ignored() -> None:
    tracker = _tracker("my payment failed twice", metadata={"language": "fr"})
    assert language_events(tracker) == [SlotSet("language", "en")]


def test_an_undecidable_first_message_uses_the_default_language(monkeypatch) -> None:
    monkeypatch.setenv("HELPDESK_DEFAULT_LANGUAGE", "es")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    try:
        assert language_events(_tracker("E21")) == [SlotSet("language", "es")]
    finally:
        get_settings.cache_clear()


def test_later_predictions_of_the_turn_leave_the_slot_alone() -> None:
    tracker = _tracker("mi pago falló", after=[ActionExecuted("utter_greet")])
    assert language_events(tracker) == []
