"""The sandbox retries an unacknowledged webhook as Meta does, so nothing sent while the
bot restarts is lost."""

from __future__ import annotations

import json
import time

import httpx
from fastapi import FastAPI, Request, Response

from helpdesk.sandbox.app import SandboxConfig, create_app
from helpdesk.sandbox.notifier import RetryPolicy
from tests.support.servers import free_port, serve_app

TOKEN, SECRET, PHONE = "tok", "secret", "100000000000001"


def test_a_message_sent_while_the_bot_is_down_arrives_once_it_is_back() -> None:
    """The bot answers 503 to its first twelve deliveries (as nginx does while Rasa
    restarts): the sandbox keeps trying past them and the message is then delivered."""
    received: list[dict] = []
    refusals = {"left": 12}
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook(request: Request) -> Response:
        if refusals["left"] > 0:
            refusals["left"] -= 1
            return Response(status_code=503)
        received.append(json.loads(await request.body()))
        return Response("ok")

    @receiver.get("/")
    async def health() -> dict:
        return {}

    with serve_app(receiver) as hook_url:
        config = SandboxConfig(
            access_token=TOKEN,
            app_secret=SECRET,
            phone_number_id=PHONE,
            webhook_url=hook_url + "/hook",
            retry_window=30.0,
            retry_max_delay=0.05,
        )
        with serve_app(create_app(config), port=free_port(), path="/sandbox/health") as url:
            customer = f"{url}/sandbox/customers/15551230000/messages"
            answer = httpx.post(customer, json={"text": "hola, ¿hay alguien?"})
            assert answer.status_code == 202  # not acknowledged yet: retried in the background
            deadline = time.monotonic() + 20
            while not received and time.monotonic() < deadline:
                time.sleep(0.1)
            assert refusals["left"] == 0
            assert len(received) == 1
            value = received[0]["entry"][0]["changes"][0]["value"]
            assert value["messages"][0]["text"]["body"] == "hola, ¿hay alguien?"
            (item,) = httpx.get(customer).json()["messages"]
            assert item["status"] == "delivered"


def test_the_default_policy_keeps_trying_for_an_hour_with_waits_of_at_most_15_s() -> None:
    delays = list(RetryPolicy().delays())
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(delays) == 15.0
    assert 3600 - 15 <= sum(delays) <= 3600


def test_a_shorter_window_gives_up_sooner() -> None:
    delays = list(RetryPolicy(longest=2.0, window=10.0).delays())
    assert delays == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
