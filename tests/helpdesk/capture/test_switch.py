"""Another use case typed inside a flow: the bot asks before switching (issue 17)."""

from __future__ import annotations

import pytest

from helpdesk.capture.deadends import HUSH_SLOT
from helpdesk.capture.engine import FIELDS_SLOT, FIX_PENDING_SLOT
from helpdesk.capture.switch import SWITCH_SLOT, offer_params
from tests.helpdesk.capture.turns import responses, run_turn


@pytest.mark.parametrize(
    ("language", "text", "question"),
    [
        (
            "en",
            "they arrived broken actually",
            "Do you want to report damage rather than the return?",
        ),
        (
            "es",
            "llegaron rotos los dos",
            "¿Quieres reportar un daño en lugar de seguir con la devolución?",
        ),
    ],
)
def test_a_typed_other_use_case_is_asked_about_not_switched(language, text, question) -> None:
    outcome = run_turn(
        "return_form", "item_photo", "report_damaged_product", text=text, language=language
    )
    assert outcome.handled is True  # the return form keeps the customer
    assert outcome.followup is None
    (reply,) = outcome.replies
    assert reply.response == "utter_confirm_switch"
    template = (
        "¿Quieres {new} en lugar de seguir con {current}?"
        if language == "es"
        else "Do you want to {new} rather than {current}?"
    )
    assert template.format(**reply.params) == question
    assert outcome.slots[SWITCH_SLOT] == {"to": "report_damaged_product", "text": text}
    assert outcome.slots[HUSH_SLOT] == "item_photo"  # no re-ask of the photo under the question


def test_yes_switches_and_stops_the_old_form_without_a_re_ask() -> None:
    offer = {"to": "report_damaged_product", "text": "they arrived broken"}
    outcome = run_turn(
        "return_form", "item_photo", "affirm", text="yes", slots={SWITCH_SLOT: offer}
    )
    assert outcome.followup == "damaged_product_form"
    assert outcome.slots["requested_slot"] is None  # the return form ends here, silently
    assert outcome.slots[SWITCH_SLOT] is None
    assert outcome.replies == []


def test_no_stays_in_the_flow_and_asks_its_step_again() -> None:
    offer = {"to": "report_damaged_product", "text": "they arrived broken"}
    outcome = run_turn(
        "return_form", "item_photo", "deny", text="no", language="es", slots={SWITCH_SLOT: offer}
    )
    assert outcome.followup is None
    assert responses(outcome) == ["utter_switch_declined"]
    assert outcome.slots[SWITCH_SLOT] is None
    assert "item_photo" in outcome.slots and outcome.slots["item_photo"] is None  # re-asked
    assert HUSH_SLOT not in outcome.slots


def test_no_to_the_switch_is_not_read_as_no_to_a_fix() -> None:
    # A fix from the first words awaits "did it work?"; the later question was the switch.
    offer = {"to": "report_payment_problem", "text": "and they charged me twice"}
    outcome = run_turn(
        "software_error_form",
        "error_screenshot",
        "deny",
        text="no",
        slots={SWITCH_SLOT: offer, FIX_PENDING_SLOT: True},
    )
    assert responses(outcome) == ["utter_switch_declined"]
    assert FIX_PENDING_SLOT not in outcome.slots


def test_a_question_not_answered_lapses() -> None:
    offer = {"to": "report_damaged_product", "text": "they arrived broken"}
    outcome = run_turn(
        "return_form", "order_number", "inform", text="118734", slots={SWITCH_SLOT: offer}
    )
    assert outcome.slots["order_number"] == "118734"
    assert outcome.slots[SWITCH_SLOT] is None
    # …so a later "yes" (to some other question) can never switch.
    later = run_turn("return_form", "order_number", "affirm", text="yes", slots={SWITCH_SLOT: None})
    assert later.followup is None


def test_a_tapped_use_case_button_switches_without_a_question() -> None:
    outcome = run_turn(
        "return_form", "item_photo", "report_damaged_product", text="/report_damaged_product"
    )
    assert outcome.handled is False  # the dialogue's switch rules take over


def test_words_that_answer_the_step_are_not_a_switch() -> None:
    # The order step, answered with a reason the NLU reads as damage.
    outcome = run_turn(
        "return_form",
        "order_number",
        "report_damaged_product",
        text="order 118734, two of them arrived broken",
    )
    assert responses(outcome) == []
    assert outcome.slots["order_number"] == "118734"


def test_yes_carries_what_the_customer_wrote_into_the_new_flow() -> None:
    # In a damage report the order number had no step; the switch to the return fills it.
    offer = {"to": "request_return", "text": "I'd rather send them back, order ORD-2024-118734"}
    outcome = run_turn(
        "damaged_product_form", "damage_photo", "affirm", text="sí", language="es",
        slots={SWITCH_SLOT: offer},
    )  # fmt: skip
    assert outcome.followup == "return_form"
    assert outcome.slots["order_number"] == "ORD-2024-118734"
    assert responses(outcome) == ["utter_noted_from_message"]
    assert outcome.replies[0].params == {"noted": "número de pedido ORD-2024-118734"}
    assert outcome.slots[FIELDS_SLOT][0]["source"] == "customer"


def test_the_new_flow_started_by_the_button_reads_the_words_of_the_question() -> None:
    offer = {"to": "request_return", "text": "I'd rather send it back, order 118734"}
    outcome = run_turn(
        "return_form", None, "request_return", text="/request_return", slots={SWITCH_SLOT: offer}
    )
    assert outcome.slots["order_number"] == "118734"
    assert outcome.slots[SWITCH_SLOT] is None


def test_offer_words_exist_for_every_pair_of_flows() -> None:
    from helpdesk.conversation import USE_CASE_INTENTS

    for current in USE_CASE_INTENTS:
        for new in USE_CASE_INTENTS:
            for language in ("en", "es"):
                params = offer_params(current=current, new=new, language=language)
                assert "_" not in params["new"] + params["current"]  # words, not intent names


def test_naming_the_flow_answers_the_question() -> None:
    offer = {"to": "report_damaged_product", "text": "they arrived broken"}
    stay = run_turn(
        "return_form", "item_photo", "request_return", text="no, sigo con la devolución",
        language="es", slots={SWITCH_SLOT: offer},
    )  # fmt: skip
    assert responses(stay) == ["utter_switch_declined"]
    go = run_turn(
        "return_form", "item_photo", "report_damaged_product", text="yes, it's the damage",
        slots={SWITCH_SLOT: offer},
    )  # fmt: skip
    assert go.followup == "damaged_product_form"
