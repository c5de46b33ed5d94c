"""Capture turns judged with the real media analysis (Tesseract, quality checks)."""

from __future__ import annotations

from pathlib import Path

from helpdesk.capture import Turn, flow_for_form, handle_turn
from helpdesk.capture.engine import CANDIDATES_SLOT, FAILURES_SLOT, FIELDS_SLOT
from helpdesk.capture.flows import SKIPPED
from helpdesk.capture.media import analyse_stored_media
from helpdesk.db import session_scope
from helpdesk.media.records import get_media
from tests.helpdesk.capture.images import product_photo, receipt_screenshot, short_video_bytes


def _turn(form: str, requested: str | None, intent: str, **kwargs) -> Turn:
    kwargs.setdefault("sender_id", "15550001111")  # the received fixture's customer
    return Turn(form=form, requested_slot=requested, intent=intent, **kwargs)


def _run(flow_form: str, turn: Turn, max_tries: int = 3):
    return handle_turn(
        flow_for_form(flow_form), turn, max_tries=max_tries, analyse=analyse_stored_media
    )


def test_dark_photo_is_refused_with_advice_then_a_good_one_is_accepted(received) -> None:
    dark = received(product_photo(brightness=0.08))
    outcome = _run("damaged_product_form", _turn(
        "damaged_product_form", "damage_photo", "media_shared", metadata={"media": [dark]}
    ))  # fmt: skip
    assert outcome.slots["damage_photo"] is None
    assert outcome.slots[FAILURES_SLOT] == {"damage_photo": 1}
    refusal = outcome.replies[0]
    assert refusal.response == "utter_media_refused"
    assert "light" in refusal.params["reason"].lower()

    good = received(product_photo())
    outcome = _run("damaged_product_form", _turn(
        "damaged_product_form", "damage_photo", "media_shared",
        metadata={"media": [good]}, slots={FAILURES_SLOT: {"damage_photo": 1}},
    ))  # fmt: skip
    assert outcome.slots["damage_photo"] == str(good["id"])
    assert [r.response for r in outcome.replies] == ["utter_media_accepted"]
    with session_scope() as session:
        record = get_media(session, media_id=good["id"])
        assert record.analysis["accepted"] is True  # stored with the media record


def test_refusal_in_spanish_speaks_spanish(received) -> None:
    dark = received(product_photo(brightness=0.08))
    outcome = _run("return_form", _turn(
        "return_form", "item_photo", "media_shared", metadata={"media": [dark]}, language="es"
    ))  # fmt: skip
    assert "luz" in outcome.replies[0].params["reason"].lower()


def test_after_max_tries_the_customer_may_continue_without_it(received) -> None:
    dark = received(product_photo(brightness=0.05))
    outcome = _run("damaged_product_form", _turn(
        "damaged_product_form", "damage_photo", "media_shared",
        metadata={"media": [dark]}, slots={FAILURES_SLOT: {"damage_photo": 2}},
    ))  # fmt: skip
    assert [r.response for r in outcome.replies] == [
        "utter_media_refused",
        "utter_media_ways_on",
    ]
    skipped = _run("damaged_product_form", _turn(
        "damaged_product_form", "damage_photo", "skip",
        slots={FAILURES_SLOT: {"damage_photo": 3}},
    ))  # fmt: skip
    assert skipped.slots["damage_photo"] == SKIPPED


def test_skip_on_a_required_step_offers_the_ways_on(received) -> None:
    outcome = _run("damaged_product_form", _turn("damaged_product_form", "damage_photo", "skip"))
    assert outcome.slots["damage_photo"] is None
    assert [r.response for r in outcome.replies] == ["utter_media_ways_on"]


def test_optional_label_can_be_skipped() -> None:
    outcome = _run(
        "damaged_product_form", _turn("damaged_product_form", "product_label_photo", "skip")
    )
    assert outcome.slots["product_label_photo"] == SKIPPED


def test_receipt_transaction_id_becomes_a_candidate_then_is_confirmed(received) -> None:
    receipt = received(receipt_screenshot(transaction_id="841277630921"))
    outcome = _run("payment_problem_form", _turn(
        "payment_problem_form", "payment_evidence", "media_shared", metadata={"media": [receipt]}
    ))  # fmt: skip
    assert outcome.slots["payment_evidence"] == str(receipt["id"])
    assert outcome.slots[CANDIDATES_SLOT] == {
        "payment_details": "$49.90 · 2024-12-03",
        "transaction_id": "841277630921",
    }
    assert {f["type"] for f in outcome.slots[FIELDS_SLOT]} >= {"total", "transaction_id"}

    confirmed = _run("payment_problem_form", _turn(
        "payment_problem_form", "transaction_id", "affirm",
        slots={CANDIDATES_SLOT: outcome.slots[CANDIDATES_SLOT]},
    ))  # fmt: skip
    assert confirmed.slots["transaction_id"] == "841277630921"


def test_denied_candidate_lets_the_customer_type_it() -> None:
    slots = {CANDIDATES_SLOT: {"transaction_id": "841277630921"}}
    denied = _run("payment_problem_form", _turn(
        "payment_problem_form", "transaction_id", "deny", slots=slots
    ))  # fmt: skip
    assert denied.slots["transaction_id"] is None
    assert denied.slots[CANDIDATES_SLOT] == {}
    typed = _run("payment_problem_form", _turn(
        "payment_problem_form", "transaction_id", "inform", text="it's UTR 4123 4567 8901"
    ))  # fmt: skip
    assert typed.slots["transaction_id"] == "UTR 4123 4567 8901"


def test_typed_order_number_is_checked() -> None:
    bad = _run("return_form", _turn("return_form", "order_number", "inform", text="no idea"))
    assert bad.slots["order_number"] is None
    assert [r.response for r in bad.replies] == ["utter_fact_not_understood"]
    good = _run("return_form", _turn("return_form", "order_number", "inform", text="#118734"))
    assert good.slots["order_number"] == "#118734"


def test_media_sent_early_fills_the_step_it_fits(received) -> None:
    # The bot asked for the order number, the customer sends the item photo instead of typing.
    photo = received(product_photo())
    outcome = _run("return_form", _turn(
        "return_form", "order_number", "media_shared", metadata={"media": [photo]}
    ))  # fmt: skip
    assert outcome.slots["item_photo"] == str(photo["id"])


def test_caption_is_read_as_text(received) -> None:
    photo = received(product_photo(), caption="order ORD-2024-118734, the left shoe is torn")
    outcome = _run("return_form", _turn(
        "return_form", "item_photo", "media_shared",
        metadata={"media": [photo], "caption": photo["caption"]},
    ))  # fmt: skip
    assert outcome.slots["item_photo"] == str(photo["id"])
    assert outcome.slots["order_number"] == "ORD-2024-118734"


def test_wrong_kind_of_media_gets_guidance(received, tmp_path: Path) -> None:
    video = received(short_video_bytes(tmp_path))
    outcome = _run("damaged_product_form", _turn(
        "damaged_product_form", "damage_photo", "media_shared", metadata={"media": [video]}
    ))  # fmt: skip
    assert outcome.slots["damage_photo"] is None
    assert outcome.replies[0].response == "utter_wrong_media"
    assert outcome.replies[0].params["expected"] == "a photo"


def test_appliance_video_is_accepted(received, tmp_path: Path) -> None:
    video = received(short_video_bytes(tmp_path))
    outcome = _run("appliance_fault_form", _turn(
        "appliance_fault_form", "appliance_media", "media_shared", metadata={"media": [video]}
    ))  # fmt: skip
    assert outcome.slots["appliance_media"] == str(video["id"]), outcome.replies


def test_text_instead_of_a_photo_is_reminded_of_the_photo() -> None:
    outcome = _run("damaged_product_form", _turn(
        "damaged_product_form", "damage_photo", "inform", text="it is the corner of the box"
    ))  # fmt: skip
    assert outcome.slots["damage_photo"] is None
    assert [r.response for r in outcome.replies] == ["utter_need_media"]


def test_leaving_intents_are_left_to_the_dialogue() -> None:
    for intent in ("request_human", "cancel", "report_payment_problem"):
        # A tapped button; a typed other use case is asked about first (test_switch.py).
        outcome = _run("return_form", _turn(
            "return_form", "item_photo", intent, text=f"/{intent}"
        ))  # fmt: skip
        assert outcome.handled is False
    for intent in ("request_human", "cancel"):
        outcome = _run("return_form", _turn(
            "return_form", "item_photo", intent, text="just get me someone, I'm done"
        ))  # fmt: skip
        assert outcome.handled is False


def test_missing_media_record_asks_to_resend(database_url: str) -> None:
    gone = {"id": 999, "kind": "image"}
    outcome = _run("return_form", _turn(
        "return_form", "item_photo", "media_shared", metadata={"media": [gone]}
    ))  # fmt: skip
    assert outcome.slots["item_photo"] is None
    assert [r.response for r in outcome.replies] == ["utter_media_unreadable"]


def test_text_read_as_this_flow_s_own_use_case_is_still_the_answer() -> None:
    outcome = _run("software_error_form", _turn(
        "software_error_form", "affected_app", "report_software_error",
        text="the bank app on android",
    ))  # fmt: skip
    assert outcome.handled is True
    assert outcome.slots["affected_app"] == "the bank app on android"


def test_media_sent_before_the_flow_is_judged_when_the_flow_starts(received) -> None:
    from helpdesk.capture.engine import hold_media, release_held_media

    photo = received(product_photo())
    held = hold_media([photo], slots={})
    # Parked in the first photo step of every flow that takes photos.
    assert held["damage_photo"] == held["item_photo"] == f"held:image:{photo['id']}"
    assert "payment_evidence" in held and "appliance_media" in held

    # The customer then picks "damaged product": the form starts with the photo judged.
    outcome = _run("damaged_product_form", _turn(
        "damaged_product_form", None, "report_damaged_product", slots=held
    ))  # fmt: skip
    assert outcome.handled is True
    assert outcome.slots["damage_photo"] == str(photo["id"])
    assert [r.response for r in outcome.replies] == ["utter_media_accepted"]
    left = {**held, "damage_photo": outcome.slots["damage_photo"]}
    assert "damage_photo" not in release_held_media(left)
    assert "item_photo" in release_held_media(left)


def test_a_dark_photo_sent_before_the_flow_is_refused_when_it_starts(received) -> None:
    from helpdesk.capture.engine import hold_media

    dark = received(product_photo(brightness=0.06))
    outcome = _run("return_form", _turn(
        "return_form", None, "request_return", slots=hold_media([dark], slots={})
    ))  # fmt: skip
    assert outcome.slots["item_photo"] is None
    assert outcome.replies[0].response == "utter_media_refused"
