"""The 24-hour window in the console, through the real sandbox and the real channel: the
ticket shows it, free text is refused once it has closed (the sandbox answers such a
message with 131047), approved templates still go, and the satisfaction survey after a
close goes as the survey template."""

from __future__ import annotations

import json

import httpx

from helpdesk.db import session_scope
from helpdesk.tickets import core
from helpdesk.whatsapp.records import resolve_choice
from tests.helpdesk.console.conftest import (
    PHONE,
    SURVEY_TEMPLATE,
    TEMPLATE,
    TOKEN,
    Stack,
    csrf,
    hand_off,
)

CUSTOMER = "15550001122"


def raw_text(stack: Stack, to: str, text: str) -> httpx.Response:
    """Free text straight to the sandbox's Graph API, as the console used to send it."""
    return httpx.post(
        f"{stack.sandbox}/v21.0/{PHONE}/messages",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}},
    )


def test_closed_window_refuses_free_text_and_sends_an_approved_template(
    stack: Stack, wait_for
) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "my order never came", hours_ago=25)
    ticket = hand_off(stack.database_url, CUSTOMER)

    # What WhatsApp does with free text now: accepted, then failed with 131047.
    assert raw_text(stack, CUSTOMER, "probe").status_code == 200
    failed = wait_for(lambda: [m for m in stack.received(CUSTOMER) if m.get("error")])
    assert failed[0]["error"]["code"] == 131047
    before = len(stack.received(CUSTOMER))

    window = httpx.get(f"{stack.url}/api/tickets/{ticket}/window", headers=headers).json()
    assert window["open"] is False and window["seconds_left"] == 0
    assert window["closes_at"] is not None
    offered = [t["name"] for t in window["templates"]]
    assert TEMPLATE in offered and "hello_world" in offered

    refused = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/replies",
        json={"text": "Your replacement is approved."},
        headers=headers,
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "window_closed"
    assert "template" in refused.json()["hint"]
    # Nothing was "sent": the customer's phone shows no new message, the ticket no reply.
    assert len(stack.received(CUSTOMER)) == before
    shown = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers).json()
    assert [m for m in shown["messages"] if m["who"] == "agent"] == []

    unknown = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/templates", json={"name": "made_up"}, headers=headers
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "template_not_approved"

    sent = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/templates", json={"name": TEMPLATE}, headers=headers
    )
    assert sent.status_code == 201 and sent.json()["delivery"] == "template", sent.text
    got = wait_for(
        lambda: [m for m in stack.received(CUSTOMER) if m.get("status") in ("delivered", "read")]
    )
    assert got[-1]["payload"]["template"]["name"] == TEMPLATE
    shown = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers).json()
    last = shown["messages"][-1]
    assert (last["who"], last["delivery"]) == ("agent", "template")


def test_open_window_shows_when_it_closes(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "hello", hours_ago=20)
    ticket = hand_off(stack.database_url, CUSTOMER)
    window = httpx.get(f"{stack.url}/api/tickets/{ticket}/window", headers=headers).json()
    assert window["open"] is True
    assert 3.9 * 3600 < window["seconds_left"] <= 4 * 3600
    client = stack.sign_in()
    page = client.get(f"/tickets/{ticket}").text
    assert "WhatsApp window open" in page and "3 h 59 min left" in page
    assert 'id="reply-form"' in page and 'id="template-form"' not in page


def test_ticket_page_offers_templates_and_explains_a_refused_reply(stack: Stack) -> None:
    stack.agent()
    stack.say(CUSTOMER, "hello", hours_ago=30)
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    page = client.get(f"/tickets/{ticket}").text
    assert "WhatsApp window closed" in page
    assert 'id="reply-form"' not in page and 'id="template-form"' in page
    assert f'value="{TEMPLATE}"' in page
    # A reply posted anyway (a stale page) is refused with what to do instead.
    answer = client.post(
        f"/tickets/{ticket}/reply",
        data={"text": "hi", "csrf": csrf(client, f"/tickets/{ticket}")},
    )
    shown = client.get(answer.headers["location"]).text
    assert "24-hour window is closed" in shown and "approved templates" in shown
    assert stack.received(CUSTOMER) == []


def test_survey_goes_as_the_template_when_the_window_has_closed(stack: Stack, wait_for) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "hello", hours_ago=26)
    ticket = hand_off(stack.database_url, CUSTOMER, language="es")
    closed = httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers).json()
    assert closed["status"] == "resolved" and closed["survey_template"] is True
    got = wait_for(
        lambda: [m for m in stack.received(CUSTOMER) if m.get("status") in ("delivered", "read")]
    )
    assert len(stack.received(CUSTOMER)) == 1
    template = got[0]["payload"]["template"]
    assert (template["name"], template["language"]["code"]) == (SURVEY_TEMPLATE, "es")
    buttons = [c for c in template["components"] if c["sub_type"] == "quick_reply"]
    with session_scope(stack.database_url) as session:
        payloads = [resolve_choice(session, choice=b["parameters"][0]["payload"]) for b in buttons]
    assert [json.loads(p[len("/rate") :])["score"] for p in payloads] == ["5", "4", "3", "2", "1"]
    # The bot is told the survey went, so it adds nothing WhatsApp would refuse.
    assert stack.rasa_calls[-1]["entities"]["outcome"] == "closed_survey_sent"


def test_survey_is_the_bots_question_while_the_window_is_open(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    answer = client.post(
        f"/tickets/{ticket}/close", data={"csrf": csrf(client, f"/tickets/{ticket}")}
    )
    assert "bot is back and asks for a score" in client.get(answer.headers["location"]).text
    assert stack.rasa_calls[-1]["entities"]["outcome"] == "closed"
    assert stack.received(CUSTOMER) == []  # the stand-in bot says nothing itself
    with session_scope(stack.database_url) as session:
        assert core.active_ticket_for(session, sender_id=CUSTOMER) is None
    assert httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers).status_code == 200
