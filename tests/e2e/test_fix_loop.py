"""The fix loop end to end: a screenshot's error code leads to fix steps, or to a person."""

from __future__ import annotations

import pytest

from helpdesk.db import session_scope
from helpdesk.db.models import CaseOutcome, Ticket
from tests.helpdesk.capture.images import error_screenshot

pytestmark = pytest.mark.e2e


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def _payloads(replies: list[dict]) -> list[str]:
    return [button["payload"] for reply in replies for button in reply.get("buttons", [])]


def test_known_error_code_gets_fix_steps_and_the_question(assistant, deliver_media) -> None:
    sender = "e2e-fix-en"
    assistant.say(sender, "windows update keeps failing on my laptop")
    deliver_media(sender, error_screenshot("Access is denied.", "0x80070005"))
    replies = assistant.say(sender, "Windows 11 laptop")
    text = _texts(replies)
    assert "0x80070005" in text  # the bot says what it saw
    assert "1. " in text and "2. " in text  # numbered fix steps
    assert _payloads(replies)[-2:] == ["/affirm", "/deny"]

    solved = assistant.say(sender, "/affirm")
    assert "glad that fixed it" in _texts(solved)
    assert '/rate{"score":"5"}' in _payloads(solved)
    assert "Thanks for your rating" in _texts(assistant.say(sender, '/rate{"score":"5"}'))
    with session_scope() as session:
        outcome = session.query(CaseOutcome).filter_by(sender_id=sender).one()
        assert outcome.first_contact and outcome.satisfaction == 5


def test_unknown_error_code_goes_to_a_person_in_the_right_queue(assistant, deliver_media) -> None:
    sender = "e2e-fix-unknown-es"
    assistant.say(sender, "la app del banco me da un error raro al abrirla")
    deliver_media(sender, error_screenshot("Unexpected failure.", "0x8BADF00D"))
    replies = assistant.say(sender, "app del banco en android")
    assert "Tu caso es el número #" in _texts(replies)
    with session_scope() as session:
        ticket = session.query(Ticket).filter_by(sender_id=sender).one()
        assert ticket.queue == "software"
        assert ticket.trigger == "triage"
        assert ticket.language == "es"
