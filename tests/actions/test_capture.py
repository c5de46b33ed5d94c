"""Capture actions in rasa-sdk's style: tracker built inline, CollectingDispatcher."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.capture import (
    ActionCaptureSummary,
    ActionResetCapture,
    AskTransactionId,
    ValidatePaymentProblemForm,
    ValidateReturnForm,
)
from tests.helpdesk.capture.images import receipt_screenshot


def _tracker(
    *,
    text: str | None,
    intent: str,
    slots: dict | None = None,
    metadata: dict | None = None,
    events: list | None = None,
) -> Tracker:
    return Tracker(
        sender_id="15550001111",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent}, "metadata": metadata or {}},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": "payment_problem_form"},
        latest_action_name="action_listen",
    )


async def test_receipt_fills_the_slot_and_offers_the_transaction_id(received) -> None:
    receipt = received(receipt_screenshot(transaction_id="841277630921"))
    tracker = _tracker(
        text="/media_shared",
        intent="media_shared",
        slots={"requested_slot": "payment_evidence", "language": "es"},
        metadata={"media": [receipt]},
    )
    dispatcher = CollectingDispatcher()
    events = await ValidatePaymentProblemForm().run(dispatcher, tracker, domain={})

    assert SlotSet("payment_evidence", str(receipt["id"])) in events
    candidates = {"payment_details": "$49.90 · 2024-12-03", "transaction_id": "841277630921"}
    assert SlotSet("fact_candidates", candidates) in events
    # What was read is said back next (action_ask_payment_details), not "looks good".
    assert [m["response"] for m in dispatcher.messages] == []

    ask = CollectingDispatcher()
    candidates = {"transaction_id": "841277630921"}
    await AskTransactionId().run(
        ask, _tracker(text=None, intent="", slots={"fact_candidates": candidates}), {}
    )
    assert ask.messages[0]["response"] == "utter_confirm_transaction_id"
    assert ask.messages[0]["value"] == "841277630921"


async def test_without_a_candidate_the_customer_is_asked_to_type() -> None:
    dispatcher = CollectingDispatcher()
    await AskTransactionId().run(dispatcher, _tracker(text=None, intent=""), {})
    assert dispatcher.messages[0]["response"] == "utter_type_transaction_id"


async def test_a_person_asked_for_mid_flow_rejects_the_form_turn() -> None:
    tracker = _tracker(
        text="quiero hablar con una persona",
        intent="request_human",
        slots={"requested_slot": "item_photo"},
    )
    dispatcher = CollectingDispatcher()
    assert await ValidateReturnForm().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []


async def test_summary_lists_what_was_captured_in_the_customer_language() -> None:
    tracker = _tracker(
        text="/affirm",
        intent="affirm",
        slots={
            "language": "es",
            "payment_evidence": "11",
            "transaction_id": "841277630921",
            "captured_fields": [{"type": "amount", "value": "49.90 USD", "confidence": 0.9}],
        },
        events=[{"event": "active_loop", "name": "payment_problem_form"}],
    )
    dispatcher = CollectingDispatcher()
    await ActionCaptureSummary().run(dispatcher, tracker, {})
    summary = dispatcher.messages[0]["summary"]
    assert dispatcher.messages[0]["response"] == "utter_capture_summary"
    assert "Comprobante del pago: recibida" in summary
    assert "Id de transacción: 841277630921" in summary
    assert "Importe 49.90 USD" in summary


async def test_reset_clears_an_abandoned_capture() -> None:
    tracker = _tracker(
        text="cancel", intent="cancel", slots={"item_photo": "3", "capture_failures": {"a": 1}}
    )
    events = await ActionResetCapture().run(CollectingDispatcher(), tracker, {})
    assert sorted(event["name"] for event in events) == ["capture_failures", "item_photo"]
    assert all(event["value"] is None for event in events)
