"""A label step means an identifier: read from the photo, or typed by the customer."""

from __future__ import annotations

from pathlib import Path

from helpdesk.capture import Turn, flow_for_form, handle_turn
from helpdesk.capture.engine import FIELDS_SLOT
from helpdesk.capture.media import analyse_stored_media

DEV_SET = Path(__file__).resolve().parents[2] / "data" / "media-dev"

# The customer ``received`` stores media for (tests/conftest.py): media ids resolve only
# within the sender's own records.
CUSTOMER = "15550001111"


def _run(turn: Turn):
    return handle_turn(
        flow_for_form("damaged_product_form"), turn, max_tries=3, analyse=analyse_stored_media
    )


def test_a_sharp_photo_without_a_model_or_serial_number_is_refused_saying_so(
    received,
) -> None:
    # A real, sharp street sign (EasyOCR's French signpost): readable, but no identifier.
    sign = received((DEV_SET / "text_easyocr_french_signpost.jpg").read_bytes())
    for language, words in (("en", "model or serial number"), ("es", "modelo o de serie")):
        outcome = _run(
            Turn(
                sender_id=CUSTOMER,
                form="damaged_product_form",
                requested_slot="product_label_photo",
                intent="media_shared",
                metadata={"media": [sign]},
                slots={"damage_photo": "1"},
                language=language,
            )
        )
        assert outcome.slots["product_label_photo"] is None
        reply = outcome.replies[0]
        assert reply.response == "utter_media_refused"
        assert words in reply.params["reason"]


def test_a_typed_model_number_fills_the_label_step() -> None:
    outcome = _run(
        Turn(
            sender_id=CUSTOMER,
            form="damaged_product_form",
            requested_slot="product_label_photo",
            intent="inform",
            text="the model is wm-8000x",
            slots={"damage_photo": "1"},
        )
    )
    assert outcome.slots["product_label_photo"] == "typed:WM-8000X"
    assert outcome.slots[FIELDS_SLOT][0]["value"] == "WM-8000X"
    assert outcome.replies == []


def test_text_without_an_identifier_still_asks_for_the_photo() -> None:
    outcome = _run(
        Turn(
            sender_id=CUSTOMER,
            form="damaged_product_form",
            requested_slot="product_label_photo",
            intent="inform",
            text="I can't find it",
            slots={"damage_photo": "1"},
        )
    )
    assert outcome.slots["product_label_photo"] is None
    assert [r.response for r in outcome.replies] == ["utter_need_media"]


def test_the_payment_read_back_is_confirmed_or_typed_and_goes_on_the_summary(
    received,
) -> None:
    from helpdesk.capture.summary import capture_summary, payment_readback
    from tests.helpdesk.capture.images import receipt_screenshot

    flow = flow_for_form("payment_problem_form")

    def run(turn: Turn):
        return handle_turn(flow, turn, max_tries=3, analyse=analyse_stored_media)

    receipt = received(receipt_screenshot(amount="$49.90"))
    outcome = run(
        Turn(
            sender_id=CUSTOMER,
            form="payment_problem_form",
            requested_slot="payment_evidence",
            intent="media_shared",
            metadata={"media": [receipt]},
        )
    )
    fields = outcome.slots[FIELDS_SLOT]
    assert payment_readback(fields, "en") == (
        "I can see a failed payment of $49.90 on 12/03/2024 — is that the payment?"
    )
    assert payment_readback(fields, "es") == (
        "Veo un pago fallido de $49.90 el 12/03/2024. ¿Es ese el pago?"
    )
    candidates = outcome.slots["fact_candidates"]

    confirmed = run(
        Turn(
            sender_id=CUSTOMER,
            form="payment_problem_form",
            requested_slot="payment_details",
            intent="affirm",
            slots={"fact_candidates": candidates},
        )
    )
    assert confirmed.slots["payment_details"] == "$49.90 · 2024-12-03"

    denied = run(
        Turn(
            sender_id=CUSTOMER,
            form="payment_problem_form",
            requested_slot="payment_details",
            intent="deny",
            slots={"fact_candidates": candidates},
        )
    )
    assert denied.slots["payment_details"] is None
    assert "payment_details" not in denied.slots["fact_candidates"]
    typed = run(
        Turn(
            sender_id=CUSTOMER,
            form="payment_problem_form",
            requested_slot="payment_details",
            intent="inform",
            text="59.90 dollars on 12 March",
            slots={"fact_candidates": denied.slots["fact_candidates"]},
        )
    )
    assert typed.slots["payment_details"] == "59.90 dollars on 12 March"
    summary = capture_summary(flow, {**typed.slots, "payment_evidence": "1"}, fields, "en")
    assert "Payment: 59.90 dollars on 12 March" in summary
    assert "49.90" not in summary  # the amount read, which the customer corrected
    confirmed_summary = capture_summary(
        flow, {**confirmed.slots, "payment_evidence": "1"}, fields, "en"
    )
    assert confirmed_summary.count("49.90") == 1  # "Payment: $49.90 · 2024-12-03" only
