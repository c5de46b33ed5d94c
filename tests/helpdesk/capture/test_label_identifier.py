"""A label step means an identifier: read from the photo, or typed by the customer."""

from __future__ import annotations

from pathlib import Path

from helpdesk.capture import Turn, flow_for_form, handle_turn
from helpdesk.capture.engine import FIELDS_SLOT
from helpdesk.capture.media import analyse_stored_media

DEV_SET = Path(__file__).resolve().parents[2] / "data" / "media-dev"


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
            form="damaged_product_form",
            requested_slot="product_label_photo",
            intent="inform",
            text="I can't find it",
            slots={"damage_photo": "1"},
        )
    )
    assert outcome.slots["product_label_photo"] is None
    assert [r.response for r in outcome.replies] == ["utter_need_media"]
