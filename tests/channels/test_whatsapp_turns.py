"""The internal turn endpoint the inbox worker process posts to (``channels.whatsapp_turns``):
only with the token, answering with the bot's messages, never running a message's turn
twice. Rasa's own tracker store and events; the dialogue is a small script in place of a
trained model that saves its turn as Rasa's processor does (user event with the message
id, then the bot's events) and speaks through the output channel it was given."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from sanic import Sanic

from channels.whatsapp_turns import WhatsAppTurnsInput
from tests.support.servers import serve_app

TOKEN = "internal-test-token"
PATH = "/webhooks/whatsapp_turns/webhook"
BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


class Agent:
    """What the endpoint uses of Rasa's agent: readiness and the tracker store."""

    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.runs: list[tuple[str, str, dict[str, Any]]] = []

    def is_ready(self) -> bool:
        return True

    async def dialogue(self, message: Any) -> None:
        self.runs.append((message.sender_id, message.text, dict(message.metadata or {})))
        await asyncio.sleep(0.3)  # long enough for a second request to arrive meanwhile
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        replies = [
            {"text": f"you said: {message.text}"},
            {"text": "Did that help?", "buttons": BUTTONS},
        ]
        tracker.update(
            UserUttered(message.text, message_id=message.message_id, input_channel="whatsapp")
        )
        for reply in replies:
            tracker.update(ActionExecuted("utter_reply"))
            tracker.update(BotUttered(reply.get("text"), data={"buttons": reply.get("buttons")}))
        await self.tracker_store.save(tracker)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))


@pytest.fixture(scope="module")
def server() -> Any:
    # One Sanic app for the module: Sanic does not start a second app in one process.
    app = Sanic("whatsapp_turns_test")
    agent = Agent()
    app.ctx.agent = agent
    channel = WhatsAppTurnsInput(TOKEN)
    app.blueprint(channel.blueprint(agent.dialogue), url_prefix="/webhooks/whatsapp_turns")
    with serve_app(app, path="/webhooks/whatsapp_turns/") as url:
        yield url, agent


@pytest.fixture
def rasa(server: Any) -> Any:
    server[1].runs.clear()
    return server


def _turn(message_id: str, text: str = "my screen is cracked", attempt: int = 1) -> dict:
    return {
        "sender": "34600333001",
        "text": text,
        "message_id": message_id,
        "attempt": attempt,
        "metadata": {"wamid": message_id, "language": "en"},
    }


def test_a_turn_needs_the_token(rasa: Any) -> None:
    url, agent = rasa
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        answer = httpx.post(url + PATH, json=_turn("wamid.t.1"), headers=headers)
        assert answer.status_code == 401
    assert agent.runs == []  # nothing reached the dialogue


def test_the_answer_holds_what_the_bot_said_in_order(rasa: Any) -> None:
    url, agent = rasa
    answer = httpx.post(
        url + PATH, json=_turn("wamid.t.2"), headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["saved"] is False
    assert [m.get("text") for m in body["messages"]] == [
        "you said: my screen is cracked",
        "Did that help?",
    ]
    assert body["messages"][1]["buttons"] == BUTTONS
    # The dialogue got the worker's metadata (the language the worker decided).
    assert agent.runs == [("34600333001", "my screen is cracked", _turn("wamid.t.2")["metadata"])]


def test_a_retried_message_gets_its_saved_turn_instead_of_a_second_run(rasa: Any) -> None:
    url, agent = rasa
    headers = {"Authorization": f"Bearer {TOKEN}"}
    first = httpx.post(url + PATH, json=_turn("wamid.t.3"), headers=headers).json()
    # The worker died while sending the replies; the next attempt asks before running.
    asked = httpx.post(
        url + PATH, json={**_turn("wamid.t.3", attempt=2), "run": False}, headers=headers
    )
    again = httpx.post(url + PATH, json=_turn("wamid.t.3", attempt=2), headers=headers)
    assert asked.json()["saved"] is True and again.json()["saved"] is True
    assert [m["text"] for m in asked.json()["messages"]] == [m["text"] for m in first["messages"]]
    assert len(agent.runs) == 1
    # A message never taken in: "run": false says so and runs nothing.
    fresh = httpx.post(
        url + PATH, json={**_turn("wamid.t.4", attempt=2), "run": False}, headers=headers
    )
    assert fresh.json() == {"messages": [], "saved": False}
    assert len(agent.runs) == 1


async def test_the_same_message_posted_twice_at_once_runs_one_turn(rasa: Any) -> None:
    url, agent = rasa
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(
            client.post(url + PATH, json=_turn("wamid.t.5"), headers=headers),
            client.post(url + PATH, json=_turn("wamid.t.5"), headers=headers),
        )
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert len(agent.runs) == 1
