"""The greeting and the handoff address the customer by WhatsApp name, rasa-sdk style: the
profile's first name when WhatsApp shares one, else "@username", else no name at all."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.greeting import ActionGreet
from actions.support import ActionHandoff

SENDER = "US.13491208655302741918"


def _tracker(metadata: dict, *, text: str = "hola", language: str = "es") -> Tracker:
    user = {"event": "user", "text": text, "timestamp": 1_700_000_000, "metadata": metadata}
    return Tracker(
        sender_id=SENDER, slots={"language": language},
        latest_message={"text": text, "intent": {"name": "greet"}, "metadata": metadata},
        events=[user], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("metadata", "name"),
    [
        ({"username": "ana.b", "bsuid": SENDER}, "@ana.b"),  # username only, no profile name
        ({"username": "@ana.b"}, "@ana.b"),
        ({"profile_name": "Ana María López", "username": "ana.b"}, "Ana"),  # profile name wins
        ({"profile_name": "*Ana*\n_x_", "username": "ana.b"}, "Ana"),  # no formatting marks
        ({"profile_name": "🌸", "username": "ana.b"}, "@ana.b"),  # no letters: not a name
    ],
)
async def test_greeting_uses_the_whatsapp_name(metadata: dict, name: str) -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionGreet().run(dispatcher, _tracker(metadata), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_greet_named"
    assert dispatcher.messages[0]["name"] == name


@pytest.mark.parametrize("metadata", [{}, {"username": "  "}, {"profile_name": "123"}])
async def test_greeting_without_a_name_is_the_plain_greeting(metadata: dict) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGreet().run(dispatcher, _tracker(metadata), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet"]
    assert "name" not in dispatcher.messages[0]


async def test_handoff_thanks_a_username_only_customer_by_username(database_url: str) -> None:
    tracker = _tracker({"username": "ana.b", "bsuid": SENDER}, text="quiero hablar con alguien")
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker, {})
    done = dispatcher.messages[-1]
    assert done["response"] == "utter_handoff_done_named"
    assert done["name"] == "@ana.b"
    assert done["notice"]  # the queue notice is still there


async def test_handoff_without_a_name_keeps_the_plain_notice(database_url: str) -> None:
    tracker = _tracker({}, text="I want a human", language="en")
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["response"] == "utter_handoff_done"
