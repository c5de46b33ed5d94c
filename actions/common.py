"""Small helpers every action module shares (no work at import time)."""

from __future__ import annotations

from rasa_sdk import Tracker

from helpdesk.conversation import LANGUAGE_SLOT
from helpdesk.settings import get_settings


def language_of(tracker: Tracker) -> str:
    """The conversation's language, or the configured default before it is known."""
    return tracker.get_slot(LANGUAGE_SLOT) or get_settings().default_language
