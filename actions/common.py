"""Small helpers every action module shares (no work at import time)."""

from __future__ import annotations

from rasa_sdk import Tracker

from helpdesk.addressing import address_name
from helpdesk.conversation import LANGUAGE_SLOT
from helpdesk.settings import get_settings


def language_of(tracker: Tracker) -> str:
    """The conversation's language, or the configured default before it is known."""
    return tracker.get_slot(LANGUAGE_SLOT) or get_settings().default_language


def customer_name(tracker: Tracker) -> str | None:
    """The name from the latest customer message that carried a profile or username."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            name = address_name(event.get("metadata"))
            if name:
                return name
    return address_name((tracker.latest_message or {}).get("metadata"))
