"""Which amount a receipt says was paid, in the languages customers send."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from helpdesk.capture.summary import payment_readback
from helpdesk.media.fields import extract_fields
from helpdesk.media.receipts import read_receipt


@dataclass
class _Word:
    text: str
    box: tuple[int, int, int, int]
    line: int
    confidence: float = 90.0


def _words(rows: list[list[tuple[str, int]]]) -> list[_Word]:
    """Words at (text, x) per printed row, 40 px apart; each row its own line."""
    return [
        _Word(text, (x, 40 * index, 12 * len(text), 24), index)
        for index, row in enumerate(rows)
        for text, x in row
    ]


def _receipt(lines: list[str]) -> dict[str, str]:
    text = "\n".join(lines)
    fields = read_receipt(text, [], extract_fields(text))
    out: dict[str, str] = {}
    for found in fields:
        out.setdefault(found.type, found.value)
    return out


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        (["Café Sol", "Subtotal 16,73 €", "IVA 10% 1,67", "TOTAL A PAGAR 18,40 €",
          "Efectivo 20,00", "Cambio 1,60"], "18.40"),
        (["Bäckerei Kraus", "Zwischensumme 7,20", "MwSt 7% 0,50", "Gesamtbetrag 7,70 EUR",
          "Bar 10,00", "Rückgeld 2,30"], "7.70"),
        (["Le Petit Zinc", "Sous-total 21,00", "TVA 2,10", "Total TTC 23,10 €",
          "Espèces 30,00", "Rendu 6,90"], "23.10"),
        (["Padaria Central", "Subtotal 4,50", "Valor total 4,50", "Dinheiro 5,00",
          "Troco 0,50"], "4.50"),
        (["Bar Roma", "Totale complessivo 12,50", "Contanti 20,00", "Resto 7,50"], "12.50"),
        (["CORNER SHOP", "Subtotal 9.15", "Tax 0.73", "TOTAL 9.88", "CASH 20.00",
          "CHANGE 10.12"], "9.88"),
    ],
)  # fmt: skip
def test_the_paid_amount_is_found_in_six_languages(lines: list[str], total: str) -> None:
    assert _receipt(lines)["total"] == total


def test_the_total_is_the_amount_on_the_total_row_even_in_another_column() -> None:
    # Tesseract often reads the price column as its own block: boxes put it back in its row.
    words = _words(
        [
            [("HASSAN", 10), ("BISTRO", 100)],
            [("TOTAL", 10), ("QTY", 80), ("1.00", 400)],
            [("Sub", 10), ("Total", 60), ("15.00", 400)],
            [("Total", 10), ("15.00", 400)],
            [("Cash", 10), ("20.00", 400)],
            [("Change", 10), ("5.00", 400)],
        ]
    )
    # The price column read after the labels, as Tesseract's blocks do.
    words.sort(key=lambda w: (w.box[0] > 300, w.box[1]))
    text = "\n".join(w.text for w in words)
    found = {f.type: f for f in read_receipt(text, words, extract_fields(text))}
    assert found["total"].value == "15.00"
    assert found["total"].where["box"][1] == 120  # the row it was printed on
    assert found["merchant"].value == "HASSAN BISTRO"


def test_quantities_and_change_are_not_the_total() -> None:
    fields = _receipt(["ACME STORE", "TOTAL ITEMS 3.00", "TOTAL 42.50", "CHANGE 57.50"])
    assert fields["total"] == "42.50"


def test_an_ambiguous_date_on_a_receipt_is_day_first_unless_dollars() -> None:
    assert _receipt(["SHOP SDN BHD", "Date: 02/03/2024", "TOTAL RM 10.00"])["date"] == (
        "2024-03-02"
    )
    assert _receipt(["DINER", "Date: 02/03/2024", "TOTAL $10.00"])["date"] == "2024-02-03"


def test_payment_app_status_and_currency() -> None:
    fields = _receipt(["Pago rechazado", "Importe total 18,40 €", "12/03/2025"])
    assert fields["status"] == "failed"
    assert fields["currency"] == "EUR"
    assert fields["total"] == "18.40"


def test_the_bot_reads_back_what_it_saw_in_both_languages() -> None:
    text = "Café Sol\nTOTAL 18,40 €\nFecha: 12/03/2025"
    fields = [f.to_dict() for f in read_receipt(text, [], extract_fields(text))]
    assert payment_readback(fields, "en") == (
        "I can see 18,40 € paid at Café Sol on 12/03/2025 — is that the payment?"
    )
    assert payment_readback(fields, "es") == (
        "Veo un pago de 18,40 € en Café Sol el 12/03/2025. ¿Es ese el pago?"
    )
    assert payment_readback([], "en") is None


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        # The total's label did not read; the cash handed over is the largest amount.
        (["Bäckerei Kraus", "Brot 3,20", "Kuchen 4,50", "7,70", "Gegeben 50,00"], "7.70"),
        (["Bar Roma", "Caffè 2,50", "Panino 10,00", "12,50", "Contante 50,00"], "12.50"),
        (["Padaria Central", "Pão 1,50", "Café 3,00", "4,50", "Recebido 20,00"], "4.50"),
        # Before tax is not what was paid.
        (["Le Petit Zinc", "Total HT 121,00", "TVA 12,10", "Net 133,10"], "133.10"),
        (["Ferretería Sol", "Base imponible 100,00", "IVA 21,00", "121,00"], "121.00"),
    ],
)  # fmt: skip
def test_cash_handed_over_and_pre_tax_sums_are_not_the_total_in_other_languages(
    lines: list[str], total: str
) -> None:
    assert _receipt(lines)["total"] == total


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Datum: 12. März 2025", "2025-03-12"),
        ("Le 3 févr. 2025", "2025-02-03"),
        ("Data: 5 maggio 2025", "2025-05-05"),
        ("Data: 14 de outubro de 2024", "2024-10-14"),
        ("Date : 25 DEZ 2024", "2024-12-25"),
    ],
)
def test_dates_with_month_names_in_german_french_italian_and_portuguese(
    line: str, date: str
) -> None:
    assert _receipt(["SHOP", line, "TOTAL 9,90 €"])["date"] == date


def test_an_ambiguous_date_is_read_in_the_order_that_is_not_in_the_future() -> None:
    # Sent on 20 March 2025: 03/12/2025 read day first would be December, still to come.
    text = "SHOP SDN BHD\nDate: 03/12/2025\nTOTAL RM 10.00"
    fields = read_receipt(text, [], extract_fields(text), today=dt.date(2025, 3, 20))
    assert next(f.value for f in fields if f.type == "date") == "2025-03-12"
    # Sent in January 2026, both orders are past: day first, as the page's currency says.
    fields = read_receipt(text, [], extract_fields(text), today=dt.date(2026, 1, 5))
    assert next(f.value for f in fields if f.type == "date") == "2025-12-03"


def test_a_dollar_sign_in_an_item_name_does_not_make_the_receipt_dollars() -> None:
    # "PNEAH ($)" is a size on a Penang bakery's receipt; its dates are day first and the
    # bot must not read back "$36.00".
    text = "GHEE HIANG\nTAU SAR PNEAH ($) 16PCS 36.00\nDate: 02/03/2018\nNET TOTAL 36.00"
    fields = [f.to_dict() for f in read_receipt(text, [], extract_fields(text))]
    assert next(f["value"] for f in fields if f["type"] == "date") == "2018-03-02"
    assert payment_readback(fields, "en") == (
        "I can see 36.00 paid at GHEE HIANG on 02/03/2018 — is that the payment?"
    )


def test_a_us_tills_receipt_writes_its_date_month_first_without_a_dollar_sign() -> None:
    walmart = ["Walmart", "AUSTIN, TX 78701", "SUBTOTAL 4.72", "TAX 1 7.000 % 0.24",
               "TOTAL 4.96", "VISA TEND 4.96", "CHANGE DUE 0.00", "12/02/18 15:38:41"]  # fmt: skip
    assert _receipt(walmart)["date"] == "2018-12-02"
    for cue in ("AUSTIN, TX 78701", "VISA TEND 4.96"):
        assert _receipt([line for line in walmart if line != cue])["date"] == "2018-12-02"
    # a Malaysian till prints "CHANGE DUE" too, and its dates day first
    shop = ["KEDAI RUNCIT", "SHAH ALAM, SELANGOR 40170", "TOTAL 4.96", "CASH 5.00",
            "CHANGE DUE 0.04", "12/02/18 15:38"]  # fmt: skip
    assert _receipt(shop)["date"] == "2018-02-12"


def test_a_tills_item_codes_are_not_error_codes_but_a_failed_payments_code_is() -> None:
    # "SX-575" and "FZ-04" are item codes on a real MR D.I.Y. slip (dev receipt 002), shaped
    # like an appliance's error codes; the summary must not tell the customer "Error code".
    till = "MR D.I.Y. (JOHOR) SDN BHD\nSX-575 TAPE 2.50\nFZ-04 HOOK 3.00\nTOTAL 5.50"
    assert not [f for f in read_receipt(till, [], extract_fields(till)) if f.type == "error_code"]
    for shot in ("PAYMENT FAILED\nError code: FZ-04\nAmount RM 5.50", "Declined\nCode U30\n$5.50"):
        codes = [f.value for f in read_receipt(shot, [], extract_fields(shot))]
        assert "FZ-04" in codes or "U30" in codes
