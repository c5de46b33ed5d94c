"""No dead ends inside a capture flow: the ways on, voice notes, the flow in progress wins."""

from __future__ import annotations

import pytest

from helpdesk.capture.casefile import gather
from helpdesk.capture.deadends import (
    HUSH_SLOT,
    SHOWN_SLOT,
    dead_end_intent,
    media_prompt,
)
from helpdesk.capture.engine import FAILURES_SLOT, FIX_PENDING_SLOT
from helpdesk.capture.flows import SKIPPED
from tests.helpdesk.capture.turns import responses, run_turn


@pytest.mark.parametrize(
    ("form", "slot", "text", "language"),
    [
        ("software_error_form", "error_screenshot", "I can't take a screenshot right now", "en"),
        ("appliance_fault_form", "appliance_media", "no tengo video ahora", "es"),
        ("return_form", "item_photo", "no tengo la foto, están en la caja", "es"),
    ],
)
def test_cannot_send_now_gets_the_ways_on_once_and_no_re_ask(form, slot, text, language) -> None:
    # Whatever the NLU made of it (here: no special intent), the words say "not at hand".
    outcome = run_turn(form, slot, "inform", text=text, language=language)
    assert outcome.handled is True
    assert responses(outcome) == ["utter_media_ways_on"]
    assert outcome.slots[slot] is None
    assert outcome.slots[HUSH_SLOT] == slot  # the form's re-ask is left out this turn


def test_no_photo_inside_a_return_stays_in_the_return() -> None:
    # The NLU hears a damaged delivery in "photo … box"; the return in progress wins.
    outcome = run_turn(
        "return_form",
        "item_photo",
        "report_damaged_product",
        text="I don't have a photo, they're in the box",
    )
    assert outcome.handled is True
    assert responses(outcome) == ["utter_media_ways_on"]


def test_a_clear_new_request_is_asked_about_and_a_tapped_one_leaves_the_flow() -> None:
    typed = run_turn(
        "return_form", "item_photo", "report_damaged_product", text="the parcel arrived crushed"
    )
    assert responses(typed) == ["utter_confirm_switch"]  # tests/helpdesk/capture/test_switch.py
    tapped = run_turn(
        "return_form", "item_photo", "report_damaged_product", text="/report_damaged_product"
    )
    assert tapped.handled is False


def test_go_on_without_it_skips_a_required_step() -> None:
    outcome = run_turn("software_error_form", "error_screenshot", "continue_without_media")
    assert outcome.slots["error_screenshot"] == SKIPPED
    assert responses(outcome) == ["utter_step_skipped"]


def test_send_it_later_is_left_to_the_dialogue_to_pause() -> None:
    outcome = run_turn("return_form", "item_photo", "send_media_later", text="I'll send it later")
    assert outcome.handled is False


def test_later_heard_as_goodbye_waits_in_the_flow_instead_of_leaving() -> None:
    outcome = run_turn("return_form", "item_photo", "goodbye", text="later")
    assert outcome.handled is True
    assert responses(outcome) == ["utter_capture_waiting"]
    assert outcome.slots[HUSH_SLOT] == "item_photo"  # no re-ask under "I'll wait"


@pytest.mark.parametrize(
    ("intent", "text"), [("cannot_send_now", "no tengo video ahora"), ("skip", "skip")]
)
def test_the_ways_on_are_offered_once_then_the_step_is_skipped(intent, text) -> None:
    first = run_turn("appliance_fault_form", "appliance_media", "cannot_send_now", text=text)
    assert responses(first) == ["utter_media_ways_on"]
    again = run_turn(
        "appliance_fault_form", "appliance_media", intent, text=text,
        slots={FAILURES_SLOT: first.slots[FAILURES_SLOT]},
    )  # fmt: skip
    assert responses(again) == ["utter_step_skipped"]  # not the same three options again
    assert again.slots["appliance_media"] == SKIPPED


def test_other_text_twice_gets_the_ways_on_the_second_time() -> None:
    first = run_turn(
        "software_error_form", "error_screenshot", "inform", text="it's windows update"
    )
    assert responses(first) == ["utter_need_media"]
    second = run_turn(
        "software_error_form",
        "error_screenshot",
        "inform",
        text="windows 11",
        slots={FAILURES_SLOT: first.slots[FAILURES_SLOT]},
    )
    assert responses(second) == ["utter_media_ways_on"]


def test_voice_note_is_answered_plainly_and_fills_nothing() -> None:
    note = {"id": 41, "kind": "audio", "wa_type": "audio"}
    outcome = run_turn(
        "damaged_product_form",
        "damage_photo",
        "media_shared",
        metadata={"media": [note], "voice": True},
    )
    assert responses(outcome) == ["utter_voice_note"]
    assert outcome.slots["damage_photo"] is None
    assert outcome.slots[HUSH_SLOT] == "damage_photo"


def test_voice_note_stays_with_the_case_for_the_agent() -> None:
    events = [
        {"event": "user", "text": "/report_damaged_product", "parse_data": {
            "intent": {"name": "report_damaged_product"}}},
        {"event": "active_loop", "name": "damaged_product_form"},
        {"event": "user", "text": "/media_shared", "metadata": {
            "media": [{"id": 41, "kind": "audio"}], "voice": True}},
    ]  # fmt: skip
    case = gather(events, {"damage_photo": "7"})
    assert case.media_ids == [7, 41]
    assert case.transcript[-1]["media_id"] == 41


def test_example_picture_goes_once_per_step() -> None:
    first = media_prompt("error_screenshot", {}, "en")
    assert first[0] == "utter_ask_error_screenshot"
    assert first[2] == {SHOWN_SLOT: ["error_screenshot"]}
    again = media_prompt("error_screenshot", {SHOWN_SLOT: ["error_screenshot"]}, "es")
    assert again[0] == "utter_reask_media"
    assert again[1] == {"what": "una captura de pantalla del error"}
    hushed = media_prompt("error_screenshot", {HUSH_SLOT: "error_screenshot"}, "en")
    assert hushed == (None, {}, {HUSH_SLOT: None})


def test_fix_from_the_words_that_failed_asks_for_the_media_now() -> None:
    slots = {FIX_PENDING_SLOT: True}
    worked = run_turn("software_error_form", "error_screenshot", "affirm", slots=slots)
    assert worked.handled is False  # the dialogue closes the case as solved
    failed = run_turn("software_error_form", "error_screenshot", "deny", slots=slots)
    assert failed.slots[FIX_PENDING_SLOT] is False
    assert responses(failed) == ["utter_fix_did_not_help_send_media"]


@pytest.mark.parametrize(
    "text",
    [
        "my app keeps crashing with error 0x80070005 when I update",
        "mi lavadora no centrifuga y hace un ruido raro",
        "I want to return my shoes, they are too small",
        "the screen is not working now",
        "it's windows update",
    ],
)
def test_descriptions_are_not_taken_for_no_media(text: str) -> None:
    assert dead_end_intent("inform", text) is None


def test_more_text_alternates_pointer_and_ways_on_never_three_alike() -> None:
    failures: dict = {}
    said = []
    for words in ("just fix it", "hello??", "come on", "???"):
        outcome = run_turn(
            "payment_problem_form",
            "payment_evidence",
            "inform",
            text=words,
            slots={FAILURES_SLOT: failures},
        )
        failures = outcome.slots[FAILURES_SLOT]
        said += responses(outcome)
    assert said == ["utter_need_media", "utter_media_ways_on"] * 2


def test_cannot_screenshot_is_read_as_no_media() -> None:
    assert dead_end_intent("inform", "I'm on the train, can't screenshot anything now")


def test_two_words_heard_as_another_use_case_do_not_switch_flows() -> None:
    outcome = run_turn(
        "payment_problem_form", "transaction_id", "report_appliance_fault", text="come on"
    )
    assert outcome.handled is True
    assert responses(outcome) == ["utter_fact_not_understood"]


def test_the_case_stays_a_return_after_an_ambiguous_sentence_inside_it() -> None:
    from helpdesk.capture.casefile import latest_use_case

    def said(intent: str) -> dict:
        return {"event": "user", "parse_data": {"intent": {"name": intent}}}

    events = [
        said("request_return"),
        {"event": "active_loop", "name": "return_form"},
        said("report_damaged_product"),  # "I don't have a photo, they're in the box"
        {"event": "active_loop", "name": None},  # paused: "I'll send it later"
    ]
    assert latest_use_case(events) == "request_return"
    switched = [*events[:3], {"event": "active_loop", "name": "damaged_product_form"}]
    assert latest_use_case(switched) == "report_damaged_product"
    assert latest_use_case([said("report_payment_problem")]) == "report_payment_problem"


def test_a_number_typed_wrong_twice_gets_the_ways_on() -> None:
    first = run_turn("return_form", "order_number", "inform", text="no idea")
    assert responses(first) == ["utter_fact_not_understood"]
    second = run_turn(
        "return_form",
        "order_number",
        "inform",
        text="hello??",
        slots={FAILURES_SLOT: first.slots[FAILURES_SLOT]},
    )
    assert responses(second) == ["utter_media_ways_on"]
    assert second.slots[HUSH_SLOT] == "order_number"
