"""What the customer wrote first fills the flow's steps: never ask for what was said."""

from __future__ import annotations

import pytest

from helpdesk.capture import Turn, flow_for_form, handle_turn
from helpdesk.capture.deadends import SHOWN_SLOT, media_prompt
from helpdesk.capture.engine import FIELDS_SLOT
from helpdesk.capture.flows import flow_for_use_case
from helpdesk.capture.media import analyse_stored_media
from helpdesk.capture.prefill import prefill


def _start(form: str, intent: str, text: str, language: str = "en", slots=None):
    turn = Turn(
        form=form, requested_slot=None, intent=intent, text=text, language=language,
        slots=slots or {},
    )  # fmt: skip
    return handle_turn(flow_for_form(form), turn, max_tries=3, analyse=analyse_stored_media)


@pytest.mark.parametrize(
    ("text", "language", "order", "noted"),
    [
        ("I want to return order 12345, it arrived damaged", "en", "12345", "order number 12345"),
        ("quiero devolver el pedido #ORD-2024-118734", "es", "ORD-2024-118734",
         "número de pedido ORD-2024-118734"),
    ],
)  # fmt: skip
def test_order_number_in_the_first_message_fills_the_order_step(
    text, language, order, noted
) -> None:
    outcome = _start("return_form", "request_return", text, language)
    assert outcome.handled is True
    assert outcome.slots["order_number"] == order
    (reply,) = outcome.replies
    assert reply.response == "utter_noted_from_message"
    assert reply.params == {"noted": noted}
    # …and the first request no longer says "type your order number".
    response, _, _ = media_prompt("item_photo", {"order_number": order}, language)
    assert response == "utter_ask_item_photo_known_order"


def test_a_bare_number_is_not_taken_for_an_order() -> None:
    outcome = _start("return_form", "request_return", "returning 2 pairs of shoes, size 42")
    assert outcome.handled is False  # nothing to note: the form asks as usual
    response, _, updates = media_prompt("item_photo", {}, "en")
    assert response == "utter_ask_item_photo" and updates == {SHOWN_SLOT: ["item_photo"]}


def test_a_typed_model_number_answers_the_label_step() -> None:
    outcome = _start(
        "appliance_fault_form",
        "report_appliance_fault",
        "my washer model WM-8000X won't spin",
    )
    assert outcome.slots["appliance_label_photo"] == "typed:WM-8000X"
    assert outcome.replies[0].params == {"noted": "model WM-8000X"}


def test_damage_report_keeps_the_order_number_and_amount_for_the_agent() -> None:
    outcome = _start(
        "damaged_product_form", "report_damaged_product", "my order 12345 arrived damaged"
    )
    # No order step in a damage report: noted in one line, kept on the case.
    assert outcome.replies[0].params == {"noted": "order number 12345"}
    fields = outcome.slots[FIELDS_SLOT]
    assert [(f["type"], f["value"], f["source"]) for f in fields] == [
        ("order_number", "12345", "customer")
    ]


def test_payment_words_fill_the_transaction_and_note_the_amount() -> None:
    outcome = _start(
        "payment_problem_form",
        "report_payment_problem",
        "I paid 49.99 EUR twice, transaction id TX48291133",
    )
    assert outcome.slots["transaction_id"] == "TX48291133"
    assert outcome.replies[0].params == {"noted": "transaction id TX48291133; amount 49.99 EUR"}


def test_a_step_already_answered_is_not_overwritten() -> None:
    flow = flow_for_use_case("request_return")
    found = prefill(
        flow, text="order 99999", language="en", slots={"order_number": "12345"}, known=[]
    )
    assert found.slots == {}


def test_a_button_payload_is_no_customer_words() -> None:
    outcome = _start("return_form", "request_return", "/request_return")
    assert outcome.handled is False


@pytest.mark.parametrize(
    ("text", "value"),
    [("mi pedido 4567-89", "4567-89"), ("order 118734", "118734"), ("#118734", "#118734")],
)
def test_a_typed_order_number_is_read_as_labelled(text, value) -> None:
    turn = Turn(
        form="return_form", requested_slot="order_number", intent="inform", text=text,
        language="es",
    )  # fmt: skip
    outcome = handle_turn(
        flow_for_form("return_form"), turn, max_tries=3, analyse=analyse_stored_media
    )
    assert outcome.slots["order_number"] == value


def test_the_summary_does_not_repeat_what_the_customer_typed_as_read() -> None:
    from helpdesk.capture.summary import capture_summary

    flow = flow_for_use_case("request_return")
    typed = [{"type": "order_number", "value": "118734", "confidence": 0.9, "source": "customer"}]
    summary = capture_summary(flow, {"item_photo": "7", "order_number": "118734"}, typed, "en")
    assert summary.count("118734") == 1


# The way people answer "what is your order number?" or open with it: a copula ("es", "is",
# "era", "was", ":") between the label and the number is never part of the number.
COPULA_PHRASINGS = [
    ("mi pedido es 4567-89", "es", "4567-89"),
    ("Mi número de pedido era 118734", "es", "118734"),
    ("el pedido es el número 4567-89", "es", "4567-89"),
    ("hola, mi pedido fue el ORD-2024-118734 y llegó roto", "es", "ORD-2024-118734"),
    ("my order is 4567-89", "en", "4567-89"),
    ("my order number was 118734", "en", "118734"),
    ("Order number is: 4567-89", "en", "4567-89"),
    ("the order no. was 118734, can I return it?", "en", "118734"),
]


@pytest.mark.parametrize(("text", "language", "value"), COPULA_PHRASINGS)
def test_an_answered_order_step_keeps_only_the_number(text, language, value) -> None:
    turn = Turn(
        form="return_form", requested_slot="order_number", intent="inform", text=text,
        language=language,
    )  # fmt: skip
    outcome = handle_turn(
        flow_for_form("return_form"), turn, max_tries=3, analyse=analyse_stored_media
    )
    assert outcome.slots["order_number"] == value


@pytest.mark.parametrize(("text", "language", "value"), COPULA_PHRASINGS)
def test_a_first_message_prefills_only_the_number(text, language, value) -> None:
    filled = prefill(flow_for_use_case("request_return"), text=text, language=language, slots={})
    assert filled.slots["order_number"] == value


@pytest.mark.parametrize(("text", "value"), [("es 4567-89", "4567-89"), ("it's 118734", "118734")])
def test_a_bare_answer_with_a_copula_keeps_only_the_number(text, value) -> None:
    turn = Turn(
        form="return_form", requested_slot="order_number", intent="inform", text=text,
        language="es",
    )  # fmt: skip
    outcome = handle_turn(
        flow_for_form("return_form"), turn, max_tries=3, analyse=analyse_stored_media
    )
    assert outcome.slots["order_number"] == value
