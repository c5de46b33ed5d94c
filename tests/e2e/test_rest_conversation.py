"""Talk to the running assistant over Rasa's REST channel, as the foundation issue checks."""

from __future__ import annotations

import pytest

from helpdesk.customers import get_customer
from helpdesk.db import session_scope

pytestmark = pytest.mark.e2e


def _texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


def test_spanish_payment_problem_gets_the_spanish_first_step(assistant) -> None:
    replies = assistant.say("e2e-es-pay", "mi pago falló y me cobraron dos veces")
    text = _texts(replies)
    assert "captura de pantalla del pago o el recibo" in text
    assert "screenshot" not in text


def test_english_payment_problem_gets_the_english_first_step(assistant) -> None:
    replies = assistant.say("e2e-en-pay", "my payment failed and I was charged twice")
    assert "screenshot of the payment or the receipt" in _texts(replies)


def test_language_follows_the_customer_within_a_conversation(assistant) -> None:
    assert "What can I help you with" in _texts(assistant.say("e2e-switch", "hello"))
    replies = assistant.say("e2e-switch", "la lavadora no centrifuga y marca un error")
    assert "electrodoméstico" in _texts(replies)


def test_greeting_offers_the_five_use_cases_and_a_person(assistant) -> None:
    replies = assistant.say("e2e-menu", "hola")
    payloads = [button["payload"] for reply in replies for button in reply.get("buttons", [])]
    assert payloads == [
        "/report_damaged_product",
        "/report_software_error",
        "/report_payment_problem",
        "/request_return",
        "/report_appliance_fault",
        "/request_human",
    ]


def test_erasure_forgets_the_conversation_and_the_customer(assistant) -> None:
    sender = "e2e-erase"
    assistant.say(sender, "my washing machine shows error E21")
    with session_scope(assistant.database_url) as session:
        assert get_customer(session, sender_id=sender) is not None

    confirmation = assistant.say(sender, "please delete all my data")
    assert [b["payload"] for r in confirmation for b in r.get("buttons", [])] == [
        "/affirm",
        "/deny",
    ]
    done = assistant.say(sender, "/affirm")
    assert "deleted your data" in _texts(done)

    tracker = assistant.tracker(sender)
    assert not [e for e in tracker["events"] if e["event"] == "user"]
    with session_scope(assistant.database_url) as session:
        assert get_customer(session, sender_id=sender) is None


def test_declined_erasure_keeps_everything(assistant) -> None:
    sender = "e2e-keep"
    assistant.say(sender, "borra mis datos")
    replies = assistant.say(sender, "/deny")
    assert "no borré nada" in _texts(replies)
    user_events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert len(user_events) == 2
