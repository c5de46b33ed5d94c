"""The action server's answers are checked as strictly as Rasa does, with a validator kept."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from rasa_addons.action_results import _validate_action_result, install


def test_a_sound_answer_passes_and_a_broken_one_is_refused_with_rasas_message() -> None:
    action = RemoteAction.__new__(RemoteAction)
    sound = {
        "events": [{"event": "slot", "name": "language", "value": "es"}],
        "responses": [{"text": "hola", "buttons": []}],
    }
    assert _validate_action_result(action, sound) is True
    with pytest.raises(ValidationError) as refused:
        _validate_action_result(action, {"events": "not a list"})
    assert "Failed to validate Action server response" in refused.value.message
    # Rasa's own check refuses the same answer.
    with pytest.raises(ValidationError):
        RemoteAction._validate_action_result(action, {"events": "not a list"})


def test_install_replaces_rasas_check_for_every_remote_action() -> None:
    original = RemoteAction._validate_action_result
    try:
        install()
        assert RemoteAction._validate_action_result is _validate_action_result
    finally:
        RemoteAction._validate_action_result = original
