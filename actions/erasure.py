"""Erases a customer's data after they confirmed ``delete_my_data``."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from helpdesk.conversation import ERASURE_SLOT
from helpdesk.erasure import erase_customer
from helpdesk.errors import HelpdeskError

logger = logging.getLogger(__name__)


class ActionEraseMyData(Action):
    def name(self) -> str:
        return "action_erase_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            report = erase_customer(sender_id=tracker.sender_id)
        except HelpdeskError as error:
            logger.error("Erasure failed: %s", error)
            dispatcher.utter_message(response="utter_erasure_failed")
            return []
        logger.info("Erased %d records for one customer on request.", report.total)
        dispatcher.utter_message(response="utter_erasure_done")
        # The tracker store deletes the conversation itself when it saves this turn.
        return [SlotSet(ERASURE_SLOT, True)]
