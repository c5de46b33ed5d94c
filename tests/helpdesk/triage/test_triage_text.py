"""Triage from the customer's words alone (no picture), in English and Spanish, on the
shipped knowledge base: the right entry, the right queue, and reasons the customer can read."""

from __future__ import annotations

import json

import pytest

from helpdesk.kb import load
from helpdesk.settings import PROJECT_ROOT
from helpdesk.triage import TriageResult, escalation, fix_image, fix_message, next_fix, triage


@pytest.fixture(scope="module")
def kb():
    return load(PROJECT_ROOT / "knowledge")


def ids(result: TriageResult) -> list[str]:
    return [match.id for match in result.matches]


@pytest.mark.parametrize("written", ["0x80070005", "0X80070005", "80070005"])
def test_windows_code_in_any_spelling_finds_the_fix(kb, written: str) -> None:
    result = triage(text=f"Windows update keeps failing with error {written}", kb=kb)
    assert result.category == "report_software_error"
    assert ids(result)[0] == "win-access-denied-0x80070005"
    assert result.queue == "software" and not result.escalate
    assert result.explain("en") == "You mentioned error 0x80070005."
    assert result.explain("es") == "Mencionas el error 0x80070005."


def test_spanish_appliance_code_with_a_dash_and_words(kb) -> None:
    result = triage(text="Mi lavadora marca el error E-21 y no desagua", language="es", kb=kb)
    assert result.category == "report_appliance_fault"
    assert ids(result)[0] == "washer-drain-e21-oe"
    assert result.queue == "field_service"
    assert result.explain() == "Mencionas el error E21. Dices «no desagua»."
    reasons = result.best.agent_reason()
    assert "error code E-21 in the customer's message matches error_codes 'E21'" in reasons


def test_card_decline_code_in_spanish(kb) -> None:
    result = triage(text="Me rechazaron la tarjeta con el código 51", language="es", kb=kb)
    assert result.category == "report_payment_problem"
    assert ids(result)[0] == "card-51-insufficient-funds"
    entry = next_fix(result, tried=[], kb=kb)
    assert entry is not None and "1. El saldo" in fix_message(entry, "es")


def test_a_number_that_is_not_a_code_does_not_match_a_decline_code(kb) -> None:
    result = triage(
        text="I paid 51 dollars and 5 cents", category_hint="report_payment_problem", kb=kb
    )
    assert "card-51-insufficient-funds" not in ids(result)
    assert result.queue == "payments"


def test_category_comes_from_the_hint_when_the_flow_gives_one(kb) -> None:
    result = triage(text="it shows U30", category_hint="report_payment_problem", kb=kb)
    assert result.category == "report_payment_problem" and result.category_source == "hint"
    assert ids(result)[0] == "upi-u30-debit-failed"


def test_category_from_words_when_nothing_matches(kb) -> None:
    result = triage(text="my dishwasher makes a strange noise", kb=kb)
    assert result.category == "report_appliance_fault"
    assert result.matches == []
    assert result.queue == "field_service"
    assert result.escalate and result.escalate.code == "no_match"
    assert next_fix(result, tried=[], kb=kb) is None


def test_unknown_code_goes_to_a_person_in_the_flows_queue(kb) -> None:
    result = triage(
        text="the app shows error 0x8badf00d", category_hint="report_software_error", kb=kb
    )
    assert result.matches == []
    assert result.queue == "software" and result.priority == "P3"
    assert result.escalate.code == "no_match" and "software" in result.escalate.reason
    assert result.explain() is None


@pytest.mark.parametrize(
    ("text", "language", "hint"),
    [
        ("There's a burning smell coming from the dryer", "en", None),
        ("Sale humo de la lavadora", "es", "report_appliance_fault"),
        ("my laptop screen flickers and I saw sparks", "en", "report_software_error"),
        ("Hay agua en el enchufe detrás de la lavadora", "es", None),
        ("I can smell gas near the oven", "en", "report_appliance_fault"),
    ],
)
def test_safety_goes_straight_to_a_person(kb, text: str, language: str, hint: str | None) -> None:
    result = triage(text=text, category_hint=hint, language=language, kb=kb)
    assert result.best.entry.queue == "safety"
    assert result.queue == "safety" and result.severity == "critical" and result.priority == "P1"
    assert result.escalate and result.escalate.code == "entry"
    assert next_fix(result, tried=[], kb=kb) is None  # no "did that solve it?" loop


def test_a_negated_danger_word_is_not_a_safety_case(kb) -> None:
    result = triage(text="No smoke or sparks, it just won't drain", kb=kb)
    assert all(match.entry.queue != "safety" for match in result.matches)
    assert ids(result)[0] == "washer-drain-e21-oe"


@pytest.mark.parametrize(
    ("text", "language", "entry_id"),
    [
        ("If you don't refund me I will file a chargeback", "en", "fraud-chargeback-threat"),
        ("Me cobraron de más, el importe es incorrecto", "es", "fraud-amount-mismatch"),
        ("I didn't make this payment, it is not authorised", "en", "fraud-unauthorised-charge"),
    ],
)
def test_fraud_risk_goes_straight_to_a_person(kb, text: str, language: str, entry_id: str) -> None:
    result = triage(text=text, language=language, kb=kb)
    assert result.category == "report_payment_problem"
    assert ids(result)[0] == entry_id
    assert result.queue == "payments_risk" and result.severity in ("high", "critical")
    assert result.priority in ("P1", "P2") and result.escalate.code == "entry"


def test_saying_it_is_urgent_raises_the_priority(kb) -> None:
    calm = triage(text="my washing machine shows UE", kb=kb)
    urgent = triage(text="my washing machine shows UE, urgent please", kb=kb)
    assert ids(calm)[0] == ids(urgent)[0] == "washer-unbalanced-ue"
    assert (calm.priority, urgent.priority) == ("P4", "P3")


def test_fix_rejected_then_second_fix_then_handoff(kb) -> None:
    result = triage(
        text="quiero devolverlo, me queda pequeño, necesito otra talla", language="es", kb=kb
    )
    first = next_fix(result, tried=[], kb=kb)
    second = next_fix(result, tried=[first.id], kb=kb)
    assert {first.id, second.id} == {"return-size-exchange", "return-change-of-mind"}
    assert first.id == "return-size-exchange"  # two phrases beat one
    assert next_fix(result, tried=[first.id, second.id], kb=kb) is None
    handoff = escalation(result, tried=[first.id, second.id], kb=kb)
    assert handoff and handoff.code == "failed_fixes"


def test_an_entry_can_ask_for_a_person_after_one_failed_fix(kb) -> None:
    result = triage(text="the washer won't drain, error E21", kb=kb)
    entry = next_fix(result, tried=[], kb=kb)
    assert entry.id == "washer-drain-e21-oe"
    assert entry.follow_up.say("en").startswith("Did the water drain")
    picture = fix_image(entry, kb=kb)  # sent with the steps
    assert picture is not None and picture.read_bytes().startswith(b"\x89PNG")
    assert next_fix(result, tried=[entry.id], kb=kb) is None
    handoff = escalation(result, tried=[entry.id], kb=kb)
    assert handoff.code == "failed_fixes" and "technician" in handoff.reason


def test_a_result_survives_a_round_trip_through_json(kb) -> None:
    result = triage(text="Windows error 0x800f0922 when updating", kb=kb)
    stored = json.loads(json.dumps(result.to_dict()))
    again = TriageResult.from_dict(stored, kb=kb)
    assert ids(again) == ids(result) and again.priority == result.priority
    assert next_fix(again, tried=[], kb=kb).id == "win-update-install-0x800f0922"
    assert again.explain("es") == "Mencionas el error 0x800f0922."


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("I get a 503 error on your website", "web-http-503"),
        ("la lavadora marca 4C y no le llega agua", "washer-water-supply-4c"),
        ("declined, response code 61", "card-61-65-limit"),
    ],
)
def test_short_codes_count_next_to_a_context_word(kb, text: str, entry_id: str) -> None:
    assert ids(triage(text=text, kb=kb))[0] == entry_id


def test_a_status_entry_matches_from_the_words_alone(kb) -> None:
    result = triage(text="The payment is still pending since yesterday", kb=kb)
    assert ids(result)[0] == "payment-pending" and not result.escalate
    assert result.explain("en") == "You said the payment is pending."
    assert result.explain("es") == "Dices que el pago está pendiente."


def test_failed_fix_moves_to_the_entry_named_in_then_try(kb) -> None:
    result = triage(text="my payment failed", category_hint="report_payment_problem", kb=kb)
    assert ids(result) == ["payment-failed-generic"]
    assert next_fix(result, tried=["payment-failed-generic"], kb=kb).id == "card-declined-generic"


def test_an_unknown_hint_does_not_lose_the_triage(kb) -> None:
    result = triage(text="Windows error 0x80070005", category_hint="greet", kb=kb)
    assert result.category == "report_software_error"
    assert ids(result)[0] == "win-access-denied-0x80070005"


def test_spanish_fix_loop_first_fix_second_fix_then_a_person(kb) -> None:
    result = triage(
        text="me rechazaron la tarjeta con el código 05", language="es",
        category_hint="report_payment_problem", kb=kb,
    )  # fmt: skip
    first = next_fix(result, tried=[], kb=kb)
    assert first.id == "card-05-do-not-honour"
    assert fix_message(first, "es").startswith("*Tarjeta rechazada por tu banco (código 05")
    assert first.follow_up.say("es") == "¿Se completó el pago después de eso?"
    second = next_fix(result, tried=[first.id], kb=kb)
    assert second.id == "card-declined-generic"
    assert next_fix(result, tried=[first.id, second.id], kb=kb) is None
    assert escalation(result, tried=[first.id, second.id], kb=kb).code == "failed_fixes"
    assert result.queue == "payments"  # where the ticket goes
