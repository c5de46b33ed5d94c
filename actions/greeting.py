"""The greeting, by name when WhatsApp gave one (helpdesk.addressing)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import customer_name


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        name = customer_name(tracker)
        if name:
            dispatcher.utter_message(response="utter_greet_named", name=name)
        else:
            dispatcher.utter_message(response="utter_greet")
        return []
