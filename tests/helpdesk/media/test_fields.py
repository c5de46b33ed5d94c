"""Fields from text: the values an agent or the bot would confirm with the customer."""

from __future__ import annotations

import pytest

from helpdesk.media.fields import extract_fields, parse_number, redact_cards


def _values(text: str, kind: str, language: str | None = None) -> list[str]:
    return [f.value for f in extract_fields(text, language=language) if f.type == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Error code 0x80070005 while updating", "0x80070005"),
        ("E-1042: the printer is offline", "E-1042"),
        ("This site can't be reached ERR_CONNECTION_REFUSED", "ERR_CONNECTION_REFUSED"),
        ("La pantalla muestra U30", "U30"),
        ("Display: F05 - call service", "F05"),
        ("Código de error: 4C21", "4C21"),
    ],
)
def test_error_codes(text: str, expected: str) -> None:
    assert expected in _values(text, "error_code")


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("S/N: SN12345-ABC", "serial_number", "SN12345-ABC"),
        ("Serial No. 4CE0460D0G", "serial_number", "4CE0460D0G"),
        ("Nº de serie: 21-0045-7781", "serial_number", "21-0045-7781"),
        ("MODEL NO: WM-8000X", "model_number", "WM-8000X"),
        ("Modelo: LAV-7KG2024", "model_number", "LAV-7KG2024"),
        ("Order #112-3456789-1234567", "order_number", "112-3456789-1234567"),
        ("Your order 112-3456789-1234567 has shipped", "order_number", "112-3456789-1234567"),
        ("Nº de pedido: 987654", "order_number", "987654"),
        ("Transaction ID: TXN8A23F90B12", "transaction_id", "TXN8A23F90B12"),
        ("UTR No. 412345678901", "transaction_id", "412345678901"),
        ("UPI Ref No: 312345678912", "transaction_id", "312345678912"),
        ("Referencia: 00AB12CD34", "transaction_id", "00AB12CD34"),
        ("Nº de operación 7781234501", "transaction_id", "7781234501"),
    ],
)
def test_labelled_identifiers(text: str, kind: str, expected: str) -> None:
    assert _values(text, kind) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Importe: 1.234,56 €", "1234.56 EUR"),
        ("Total: $1,234.56", "1234.56 USD"),
        ("Amount EUR 12.00", "12.00 EUR"),
        ("TOTAL A PAGAR 24,23", "24.23"),
        ("Paid ₹ 1,200.00 to Shop", "1200.00 INR"),
        ("Precio 1 234,50 €", "1234.50 EUR"),
        ("MX$ 350", "350.00 MXN"),
    ],
)
def test_amounts_in_both_notations(text: str, expected: str) -> None:
    assert expected in _values(text, "amount")


def test_numbers_are_read_in_both_notations() -> None:
    assert parse_number("1.234,56") == "1234.56"
    assert parse_number("1,234.56") == "1234.56"
    assert parse_number("24,23") == "24.23"
    assert parse_number("1.234") == "1234.00"
    assert parse_number("12,3456") is None


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Fecha: 15/03/2024", "es", "2024-03-15"),
        ("Date: 2024-03-15 10:22", "en", "2024-03-15"),
        ("15.03.2024", None, "2024-03-15"),
        ("March 5, 2024", "en", "2024-03-05"),
        ("5 de marzo de 2024", "es", "2024-03-05"),
        ("05-MAR-24", None, "2024-03-05"),
        ("14 ene. 2025", "es", "2025-01-14"),
        ("03/04/2024", "es", "2024-04-03"),
        ("03/04/2024", "en", "2024-03-04"),
    ],
)
def test_dates_in_many_formats(text: str, language: str | None, expected: str) -> None:
    assert _values(text, "date", language) == [expected]


def test_impossible_dates_are_not_fields() -> None:
    assert _values("31/02/2024 and 2024-13-01", "date") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Payment failed", "failed"),
        ("Transaction unsuccessful", "failed"),
        ("Pago rechazado", "failed"),
        ("Estado: pendiente", "pending"),
        ("Payment successful", "successful"),
        ("Pago exitoso", "successful"),
        ("Transferencia fallida", "failed"),
    ],
)
def test_payment_status_words(text: str, expected: str) -> None:
    assert _values(text, "payment_status") == [expected]


def test_card_numbers_are_only_ever_kept_masked() -> None:
    text = "Card 4111 1111 1111 1111 was charged; backup card ending in 4242"
    fields = extract_fields(text)
    cards = [f for f in fields if f.type == "card_number_masked"]
    assert [c.value for c in cards] == ["**** **** **** 1111", "**** 4242"]
    assert all("4111 1111" not in str(c.to_dict()) for c in cards)
    redacted = redact_cards(text)
    assert "4111" not in redacted and redacted.count("1111") == 1
    assert len(redacted) == len(text)
    # Not every long number is a card: Luhn decides.
    assert _values("Ref 4111 1111 1111 1112", "card_number_masked") == []


def test_each_field_says_where_it_was_found() -> None:
    text = "Payment failed\nTransaction ID: TXN8A23F90B12"
    [field] = [f for f in extract_fields(text) if f.type == "transaction_id"]
    assert field.where["line"] == 2
    assert text[field.where["start"] : field.where["end"]] == "TXN8A23F90B12"
    assert 0 < field.confidence <= 1


def test_ocr_letter_o_in_a_hex_code_is_read_as_zero() -> None:
    found = [(f.type, f.value) for f in extract_fields("Error code: Ox8BADFOOD")]
    assert found == [("error_code", "0x8BADF00D")]


@pytest.mark.parametrize("language", ["en", "es", None])
def test_a_page_that_writes_the_day_first_reads_all_its_dates_day_first(
    language: str | None,
) -> None:
    # A bank statement in English from a day-first country: 28/12/2017 can only be
    # 28 December, so 12/01/2019 on the same page is 12 January, not 1 December.
    text = "28/12/2017 CARD PAYMENT RESTORAN -15.00\n12/01/2019 CARD PAYMENT MR DIY -33.90"
    assert _values(text, "date", language) == ["2017-12-28", "2019-01-12"]


def test_a_page_that_writes_the_month_first_reads_all_its_dates_month_first() -> None:
    text = "Ordered 12/28/2017\nShipped 01/02/2018"
    assert _values(text, "date", "es") == ["2017-12-28", "2018-01-02"]
