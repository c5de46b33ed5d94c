"""A new conversation session: the customer is recorded once per session, on any channel.

The language is no longer detected here on every turn (``rasa_addons.language_policy`` sets
the slot inside Rasa; the WhatsApp channel records the language of each message itself).
This action keeps the bookkeeping for the channels that do not (the REST channel used in
development) at one action-server call per session instead of one per message, and starts
the session as Rasa's default ``action_session_start`` does.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from helpdesk.conversation import LANGUAGE_SLOT
from helpdesk.customers import record_customer_seen
from helpdesk.db import session_scope
from helpdesk.errors import HelpdeskError

logger = logging.getLogger(__name__)


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        carried = _carried_slots(tracker, domain)
        language = next((e["value"] for e in carried if e["name"] == LANGUAGE_SLOT), None)
        try:
            with session_scope() as session:
                record_customer_seen(session, sender_id=tracker.sender_id, language=language)
        except HelpdeskError as error:
            # Never hold up the conversation for bookkeeping; the channel or the next
            # session records the customer.
            logger.warning("Could not record the customer: %s", error)
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]


def _carried_slots(tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
    config = domain.get("session_config") or {}
    if not config.get("carry_over_slots_to_new_session", True):
        return []
    return [
        SlotSet(event["name"], event.get("value"))
        for event in tracker.applied_events()
        if event.get("event") == "slot"
    ]
