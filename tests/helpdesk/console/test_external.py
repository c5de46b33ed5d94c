"""Zendesk and Freshdesk round trips: the case goes out with its photo, the customer's
messages follow, the agent's reply there comes back by webhook to the customer's WhatsApp,
and solving it there closes the case and resumes the bot."""

from __future__ import annotations

import httpx
import pytest

from helpdesk.db import session_scope
from helpdesk.settings import get_settings
from helpdesk.tickets import core
from helpdesk.tickets.handoff import customer_message
from tests.helpdesk.console.conftest import (
    FRESHDESK_SECRET,
    ZENDESK_SECRET,
    Stack,
    csrf,
    hand_off,
    label_photo,
    store_customer_media,
)
from tests.support import freshdesk, zendesk

CUSTOMER = "15553334444"


def status_of(stack: Stack, ticket: int) -> str:
    with session_scope(stack.database_url) as session:
        return core.require_ticket(session, ticket_id=ticket).status


def test_zendesk_round_trip(stack: Stack, monkeypatch: pytest.MonkeyPatch, wait_for) -> None:
    with zendesk.serving(monkeypatch) as (_, state):
        stack.say(CUSTOMER, "the label photo is attached")
        photo = store_customer_media(stack.database_url, CUSTOMER, label_photo())
        ticket = hand_off(stack.database_url, CUSTOMER, media_ids=[photo])
        (external,) = state.tickets.values()
        first = state.comments[external["id"]][0]
        assert "SN48213771" in first["body"] and len(first["attachments"]) == 1
        customer_message(sender_id=CUSTOMER, text="when will it arrive?", url=stack.database_url)
        assert state.comments[external["id"]][-1]["body"] == "when will it arrive?"

        hook = stack.url + "/webhooks/zendesk"
        forged = zendesk.agent_replies(
            state, external["id"], "send me money", webhook_url=hook, secret="guess"
        )
        assert forged.status_code == 401
        answer = zendesk.agent_replies(
            state,
            external["id"],
            "A new jar ships tomorrow.",
            webhook_url=hook,
            secret=ZENDESK_SECRET,
        )
        assert answer.status_code == 200 and answer.json()["delivery"] == "sent"
        got = wait_for(lambda: stack.received(CUSTOMER))
        assert [m["payload"]["text"]["body"] for m in got] == ["A new jar ships tomorrow."]
        # Zendesk retries a webhook it thinks failed: the customer gets it once.
        zendesk.agent_replies(
            state,
            external["id"],
            "A new jar ships tomorrow.",
            webhook_url=hook,
            secret=ZENDESK_SECRET,
        )
        assert len(stack.received(CUSTOMER)) == 1

        calls_before = len(state.requests)
        solved = zendesk.agent_replies(
            state, external["id"], None, webhook_url=hook, secret=ZENDESK_SECRET, status="solved"
        )
        assert solved.json()["status"] == "resolved"
        assert status_of(stack, ticket) == "resolved"
        assert stack.rasa_calls[-1]["entities"]["outcome"] == "closed"
        # Solved in Zendesk: nothing is written back to Zendesk (no echo).
        assert state.requests[calls_before:] == []
        # The agent reply is on the local ticket too, marked as coming from Zendesk.
        headers = (stack.agent(), stack.token())[1]
        detail = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers).json()
        agent_lines = [m for m in detail["messages"] if m["who"] == "agent"]
        assert [(m["text"], m["origin"]) for m in agent_lines] == [
            ("A new jar ships tomorrow.", "zendesk")
        ]
        assert detail["backend"] == "zendesk" and detail["external_id"] == str(external["id"])


def test_freshdesk_round_trip(stack: Stack, monkeypatch: pytest.MonkeyPatch, wait_for) -> None:
    with freshdesk.serving(monkeypatch) as (_, state):
        stack.say(CUSTOMER, "hello")
        photo = store_customer_media(stack.database_url, CUSTOMER, label_photo())
        ticket = hand_off(stack.database_url, CUSTOMER, media_ids=[photo])
        (external,) = state.tickets.values()
        assert len(external["attachments"]) == 1
        customer_message(sender_id=CUSTOMER, text="any update?", url=stack.database_url)
        assert state.conversations[external["id"]][-1]["body"] == "any update?"

        hook = stack.url + "/webhooks/freshdesk"
        assert (
            freshdesk.agent_replies(
                state, external["id"], "x", webhook_url=hook, secret="no"
            ).status_code
            == 401
        )
        answer = freshdesk.agent_replies(
            state,
            external["id"],
            "Refund started &amp; confirmed.",
            webhook_url=hook,
            secret=FRESHDESK_SECRET,
        )
        assert answer.status_code == 200
        got = wait_for(lambda: stack.received(CUSTOMER))
        assert got[-1]["payload"]["text"]["body"] == "Refund started & confirmed."
        done = freshdesk.agent_replies(
            state, external["id"], None, webhook_url=hook, secret=FRESHDESK_SECRET, status=4
        )
        assert done.json()["status"] == "resolved"
        assert status_of(stack, ticket) == "resolved"
        assert stack.rasa_calls[-1]["conversation"] == CUSTOMER


def test_webhook_for_a_ticket_that_is_not_ours_is_acknowledged_and_ignored(stack: Stack) -> None:
    answer = httpx.post(
        stack.url + "/webhooks/freshdesk",
        json={"ticket_id": 424242, "comment": "hi", "status": "Open"},
        headers={"X-Helpdesk-Webhook-Secret": FRESHDESK_SECRET},
    )
    assert answer.status_code == 200 and answer.json()["ignored"] == "unknown ticket"


def test_a_failed_push_can_be_retried_from_the_ticket_page(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zendesk.serving(monkeypatch, api_token="expired-token") as (_, state):
        ticket = hand_off(stack.database_url, CUSTOMER)
        assert state.tickets == {}
        stack.agent()
        client = stack.sign_in()
        page = client.get(f"/tickets/{ticket}").text
        assert "Couldn&#39;t authenticate you" in page and "Try again" in page
        monkeypatch.setenv("ZENDESK_API_TOKEN", "zd-token")  # the operator fixes the token
        get_settings.cache_clear()
        answer = client.post(f"/tickets/{ticket}/push", data={"csrf": csrf(client, "/")})
        (external,) = state.tickets
        assert f"as+%23{external}" in answer.headers["location"]
        assert "Try again" not in client.get(f"/tickets/{ticket}").text


def test_console_replies_and_closing_are_mirrored_to_zendesk(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zendesk.serving(monkeypatch) as (_, state):
        ticket = hand_off(stack.database_url, CUSTOMER)
        (external,) = state.tickets.values()
        stack.agent()
        headers = stack.token()
        stack.say(CUSTOMER, "hello")
        reply = httpx.post(
            f"{stack.url}/api/tickets/{ticket}/replies", json={"text": "On it!"}, headers=headers
        )
        assert reply.json()["delivery"] == "sent"
        copied = state.comments[external["id"]][-1]
        assert copied["public"] is False and copied["body"].endswith("console:\nOn it!")
        answer = httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers)
        assert answer.json()["status"] == "resolved"
        assert external["status"] == "solved"
        last = state.comments[external["id"]][-1]
        assert last["public"] is False and "helpdesk console" in last["body"]
