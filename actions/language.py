"""Keeps the ``language`` slot in step with what the customer writes.

Runs after every user message as the custom slot mapping of ``language`` (domain.yml), so
the bot's next response already uses the customer's language.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from helpdesk.conversation import LANGUAGE_SLOT
from helpdesk.customers import record_customer_seen
from helpdesk.db import session_scope
from helpdesk.errors import HelpdeskError
from helpdesk.language import detect_language
from helpdesk.settings import get_settings

logger = logging.getLogger(__name__)


class ActionDetectLanguage(Action):
    def name(self) -> str:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        metadata = message.get("metadata") or {}
        # A photo's caption is what the customer wrote with it.
        text = metadata.get("caption") or message.get("text")
        current = tracker.get_slot(LANGUAGE_SLOT)
        language = (
            detect_language(text, current=current) or current or get_settings().default_language
        )
        try:
            with session_scope() as session:
                record_customer_seen(session, sender_id=tracker.sender_id, language=language)
        except HelpdeskError as error:
            # Never hold up the conversation for bookkeeping; the next turn records it.
            logger.warning("Could not record the customer: %s", error)
        return [] if language == current else [SlotSet(LANGUAGE_SLOT, language)]
