"""Defect 3: the capture action analyses each file in a child process with a time budget;
a file past the budget gets a refusal the customer can act on."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.capture import ValidatePaymentProblemForm
from helpdesk.settings import get_settings
from tests.actions.test_media_ownership import ATTACKER, _tracker
from tests.helpdesk.capture.images import receipt_screenshot


async def test_a_file_past_the_budget_is_refused_with_advice(received, monkeypatch) -> None:
    monkeypatch.setenv("HELPDESK_MEDIA_ANALYSIS_BUDGET_SECONDS", "0.05")
    get_settings.cache_clear()
    receipt = received(receipt_screenshot(transaction_id="841277630921"), sender_id=ATTACKER)
    dispatcher = CollectingDispatcher()
    events = await ValidatePaymentProblemForm().run(
        dispatcher, _tracker(ATTACKER, {"media": [receipt]}), {}
    )
    [refusal] = dispatcher.messages
    assert refusal["response"] == "utter_media_refused"
    assert "too long to read" in refusal["reason"]
    assert "screenshot of just the part" in refusal["reason"]
    assert all(getattr(e, "value", None) != str(receipt["id"]) for e in events)
