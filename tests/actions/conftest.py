from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker


def make_tracker(
    text: str | None,
    *,
    sender_id: str = "15551234567",
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    intent: str = "greet",
) -> Tracker:
    """A tracker as the Rasa server sends it to the action server, built inline."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [],
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def tracker_for():  # type: ignore[no-untyped-def]
    return make_tracker
