"""Receipts read by layout and arithmetic, as an accountant reads a photographed receipt:
the row a label and its amount share, cash minus change, the total after rounding, and
which of several dates is the day of the purchase.

The word boxes here are laid out as Tesseract reports them for a receipt photo (x, y,
width, height per word, with its line id); the real receipts behind these cases are
measured in tests/helpdesk/media/test_real_media.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.media.fields import extract_fields
from helpdesk.media.receipts import read_receipt


@dataclass
class _Word:
    text: str
    box: tuple[int, int, int, int]
    line: int
    confidence: float = 90.0
    start: int = 0
    end: int = 0


def _page(rows: list[list[tuple[str, int]]], *, slope: float = 0.0, pitch: int = 40):
    """(text, words) of a receipt whose rows hold (word, x) pairs; ``slope`` is how far a
    row drops per pixel to the right (a photo taken askew). The text is in Tesseract's
    order, one line per row, with each word's offsets in it."""
    words: list[_Word] = []
    for index, row in enumerate(rows):
        for text, x in row:
            y = round(pitch * index + slope * x)
            words.append(_Word(text, (x, y, 12 * len(text), 24), index))
    return _text(words), words


def _text(words: list[_Word]) -> str:
    parts: list[str] = []
    position = 0
    previous = None
    for word in words:
        if previous is not None:
            separator = " " if word.line == previous else "\n"
            parts.append(separator)
            position += 1
        word.start, word.end = position, position + len(word.text)
        parts.append(word.text)
        position = word.end
        previous = word.line
    return "".join(parts)


def _read(text: str, words: list[_Word]) -> dict[str, str]:
    out: dict[str, str] = {}
    for found in read_receipt(text, words, extract_fields(text, words=words)):
        out.setdefault(found.type, found.value)
    return out


def test_a_receipt_photographed_askew_pairs_each_label_with_its_own_amount() -> None:
    # Turned by 4 degrees: each amount at the right edge sits 0.7 of a row lower than its
    # label, level with the label of the next row.
    text, words = _page(
        [
            [("CORNER", 10), ("SHOP", 110)],
            [("Subtotal", 10), ("20.00", 400)],
            [("Discount", 10), ("4.00", 412)],
            [("TOTAL", 10), ("16.00", 400)],
            [("Points", 10), ("Earned", 100), ("32.00", 400)],
            [("Card", 10), ("Visa", 80), ("16.00", 400)],
        ],
        slope=0.07,
    )
    assert _read(text, words)["total"] == "16.00"


def test_the_cash_handed_over_is_known_by_the_change_even_when_its_label_is_unread() -> None:
    # The cash row's label and the net total's figures did not read; 100.20 is the cash
    # the customer handed over (it gave 15.00 change), not the amount paid.
    text, words = _page(
        [
            [("GHEE", 10), ("HIANG", 100)],
            [("Phong", 10), ("Pneah", 100), ("18.00", 400)],
            [("10", 10), ("SubTotal", 60), ("85.20", 400)],
            [("Net.", 10), ("20", 420)],
            [("100.20", 388)],
            [("CHANGE", 10), ("15.00", 400)],
        ]
    )
    assert _read(text, words)["total"] == "85.20"


def test_the_change_is_known_by_the_cash_even_when_its_label_is_unread() -> None:
    text, words = _page(
        [
            [("MR", 10), ("DIY", 60)],
            [("SPRAYER", 10), ("8.02", 412)],
            [("BOARD", 10), ("27.00", 400)],
            [("T0TAI", 10), ("35.02", 400)],
            [("CASH", 10), ("100.00", 388)],
            [("RM", 10), ("64.98", 400)],
        ]
    )
    # Neither the total's nor the change's label read; 100.00 - 64.98 = 35.02 says that
    # 64.98 is the change, and 35.02 what was paid.
    found = read_receipt(text, words, extract_fields(text, words=words))
    total = next(f for f in found if f.type == "total")
    assert total.value == "35.02"
    assert total.where["box"][1] == 120  # on the TOTAL row


def test_the_total_after_rounding_is_what_was_paid() -> None:
    text, words = _page(
        [
            [("MR", 10), ("DIY", 60)],
            [("BOARD", 10), ("19.00", 400)],
            [("SPRAYER", 10), ("8.02", 412)],
            [("WAX", 10), ("3.02", 412)],
            [("TAPE", 10), ("3.88", 412)],
            [("TOTAL", 10), ("RM", 100), ("33.92", 400)],
            [("ROUNDING", 10), ("ADJUSTMENT", 140), ("-0.02", 400)],
            [("TOTAL", 10), ("ROUNDED", 100), ("33.90", 400)],
            [("CASH", 10), ("50.00", 400)],
        ]
    )
    # The items add up to 33.92 and the cash is not followed by a change row: only the
    # rounding says which total was paid.
    assert _read(text, words)["total"] == "33.90"


def test_a_full_stop_read_as_its_own_box_stays_in_its_amount() -> None:
    # Tesseract boxes a faint decimal point alone, sitting on the baseline.
    text, words = _page(
        [
            [("ZEN", 10), ("CAFE", 70)],
            [("Unagi", 10), ("don", 90), ("28.00", 400)],
            [("Pasta", 10), ("19.00", 400)],
            [("Total:", 10), ("47", 400), ("00", 440)],
            [("Cash:", 10), ("50.00", 400)],
            [("Change:", 10), ("3.00", 412)],
        ]
    )
    words.append(_Word(".", (428, 3 * 40 + 20, 6, 5), 3))
    text = _text(sorted(words, key=lambda w: (w.line, w.box[0])))
    assert _read(text, words)["total"] == "47.00"


def test_a_date_in_the_future_is_not_the_day_of_the_purchase() -> None:
    fields = _read(
        *_page(
            [
                [("CORNER", 10), ("SHOP", 110)],
                [("Offer", 10), ("ends", 90), ("05/06/2099", 200)],
                [("12/03/2025", 10), ("10:22", 200)],
                [("TOTAL", 10), ("9.88", 412)],
            ]
        )
    )
    assert fields["date"] == "2025-03-12"


def test_the_date_beside_the_date_label_wins_when_read_in_another_block() -> None:
    # Tesseract read the right-hand column (the date) after the whole left-hand column;
    # only the boxes put it beside "Date:".
    text, words = _page(
        [
            [("CORNER", 10), ("SHOP", 110)],
            [("Printed", 10), ("01/02/2025", 200)],
            [("Date:", 10), ("12/03/2025", 300)],
            [("TOTAL", 10), ("9.88", 412)],
        ]
    )
    date = next(w for w in words if w.text == "12/03/2025")
    date.line = 99  # its own block, read last
    text = _text(sorted(words, key=lambda w: (w.line, w.box[1])))
    assert _read(text, words)["date"] == "2025-03-12"


def test_amounts_printed_half_a_row_below_their_labels_stay_with_their_labels() -> None:
    # The paper ran unevenly through the printer: every amount stands more than half a row
    # below its label, and Tesseract joined each amount with the label of the row below.
    labels = ["Sub Total", "Discount", "Total", "Cash", "Change"]
    amounts = ["15.00", "0.50", "14.50", "20.00", "5.50"]
    words = [_Word("HASSAN", (10, 0, 72, 24), 0), _Word("BISTRO", (100, 0, 72, 24), 0)]
    for index, (label, amount) in enumerate(zip(labels, amounts, strict=True)):
        y = 40 * (index + 1)
        words.append(_Word(label, (10, y, 12 * len(label), 24), index + 1))
        words.append(_Word("RM", (330, y + 12, 24, 24), index + 2))
        words.append(_Word(amount, (400, y + 24, 12 * len(amount), 24), index + 2))
    words.sort(key=lambda w: (w.line, w.box[0]))
    text = _text(words)
    found = {f.type: f for f in read_receipt(text, words, extract_fields(text, words=words))}
    assert found["total"].value == "14.50"
    assert found["total"].where["box"][1] == 120  # the Total row, label included


def test_the_merchant_is_the_shop_not_a_name_stamped_above_it() -> None:
    text, words = _page(
        [
            [("tan", 10), ("woon", 60), ("yann", 130)],
            [],
            [],
            [("MR", 10), ("DIY", 50), ("(JOHOR)", 100), ("SDN", 200), ("BHD", 250)],
            [("LOT", 10), ("1851-A,", 60), ("JALAN", 160), ("KPB", 240)],
            [("TOTAL", 10), ("33.90", 400)],
        ]
    )
    assert _read(text, words)["merchant"] == "MR DIY (JOHOR) SDN BHD"


def test_a_trade_name_printed_right_above_the_company_is_the_merchant() -> None:
    text, words = _page(
        [
            [("GHEE", 10), ("HIANG", 80)],
            [("GH", 10), ("DISTRIBUTOR", 50), ("SDN", 200), ("BHD", 250)],
            [("216,", 10), ("Macalister", 60), ("Road", 200)],
            [("TOTAL", 10), ("85.20", 400)],
        ],
        pitch=30,
    )
    assert _read(text, words)["merchant"] == "GHEE HIANG"


def test_a_name_in_small_letters_right_above_the_company_is_not_the_merchant() -> None:
    # SROIE's scanned slips carry a name added in lower case over the till's header.
    text, words = _page(
        [
            [("tan", 10), ("woon", 60), ("yann", 130)],
            [
                ("BOOK", 10),
                ("TA.K", 70),
                ("(TAMAN", 130),
                ("DAYA)", 220),
                ("SDN", 300),
                ("BHD", 350),
            ],
            [("JALAN", 10), ("SAGU", 80), ("18", 150)],
            [("TOTAL", 10), ("9.00", 400)],
        ],
        pitch=30,
    )
    assert _read(text, words)["merchant"] == "BOOK TA.K (TAMAN DAYA) SDN BHD"
    # ...and over a header without a company form
    text, words = _page(
        [
            [("tan", 10), ("chay", 60), ("yee", 130)],
            [("SOON", 10), ("HUAT", 80), ("MACHINERY", 150), ("ENTERPRISE", 300)],
            [("TOTAL", 10), ("327.00", 400)],
        ]
    )
    assert _read(text, words)["merchant"] == "SOON HUAT MACHINERY ENTERPRISE"
    # a name in lower case is still the merchant when the header has no other
    text, words = _page([[("cafe", 10), ("luna", 80)], [("TOTAL", 10), ("4.50", 400)]])
    assert _read(text, words)["merchant"] == "cafe luna"


def test_the_shop_is_the_merchant_not_the_company_that_owns_it() -> None:
    text, words = _page(
        [
            [("SANYU", 10), ("STATIONERY", 100), ("SHOP", 260)],
            [("NO.", 10), ("31G,", 60), ("JALAN", 130), ("SETIA", 210), ("INDAH", 290)],
            [("Owned", 10), ("By", 100), (":", 150)],
            [("SANYU", 10), ("SUPPLY", 100), ("SDN", 200), ("BHD", 250), ("(1135772-K)", 300)],
            [("TOTAL", 10), ("8.70", 400)],
        ]
    )
    assert _read(text, words)["merchant"] == "SANYU STATIONERY SHOP"
    # the label is never the name, and with no shop named first the owner is the merchant
    text, words = _page(
        [
            [("Owned", 10), ("By", 100), (":", 150)],
            [("SANYU", 10), ("SUPPLY", 100), ("SDN", 200), ("BHD", 250)],
            [("TOTAL", 10), ("8.70", 400)],
        ]
    )
    assert _read(text, words)["merchant"] == "SANYU SUPPLY SDN BHD"


def test_a_labelled_total_is_never_taken_for_the_cash_handed_over() -> None:
    # The cash row was not read at all; 15.00 - 5.00 is an item's price, by chance.
    text, words = _page(
        [
            [("CORNER", 10), ("SHOP", 110)],
            [("Lamp", 10), ("10.00", 400)],
            [("Bulbs", 10), ("5.00", 412)],
            [("TOTAL", 10), ("15.00", 400)],
            [("CHANGE", 10), ("5.00", 412)],
        ]
    )
    assert _read(text, words)["total"] == "15.00"


def test_a_rounded_total_that_rounding_cannot_explain_was_misread() -> None:
    # Tesseract read the faint "9.00" of the rounded total as "9.60" and lost the cash row's
    # label: the total printed twice before the rounding is what was paid.
    text, words = _page(
        [
            [("BOOK", 10), ("TA.K", 80), ("SDN", 180), ("BHD", 240)],
            [("KF", 10), ("MODELLING", 60), ("CLAY", 220)],
            [("1", 10), ("PC", 40), ("9.000", 200), ("0.00", 300), ("9.00", 400)],
            [("Total", 10), (":", 90), ("9.00", 400)],
            [("Rounding", 10), ("Adjustment", 140), ("0.00", 400)],
            [("Rounded", 10), ("Total", 140), ("(RM):", 220), ("9.60", 400)],
            [("Cash", 10), ("10.00", 400)],
        ]
    )
    assert _read(text, words)["total"] == "9.00"


def test_a_rounded_total_within_a_rounding_of_the_total_is_still_what_was_paid() -> None:
    text, words = _page(
        [
            [("MR", 10), ("DIY", 60)],
            [("TAPE", 10), ("33.92", 400)],
            [("TOTAL", 10), ("33.92", 400)],
            [("ROUNDED", 10), ("TOTAL", 140), ("33.90", 400)],
        ]
    )
    assert _read(text, words)["total"] == "33.90"


def test_no_tax_is_the_largest_amount_on_the_page() -> None:
    # The amounts stand half a row below their labels and Tesseract lost most of the
    # labels: the only total-sized amount sits beside "GST 6%", the row above its own.
    text, words = _page(
        [
            [("RESTORAN", 10), ("HASSANBISTRO", 130)],
            [("Total", 10), ("Qty", 80), ("1.00", 400)],
            [("Total", 10)],
            [("GST", 10), ("6%", 70), ("15.00", 400)],
            [("Rounding", 10)],
        ]
    )
    assert _read(text, words)["total"] == "15.00"


def test_a_tax_smaller_than_the_total_is_still_not_the_total() -> None:
    text, words = _page(
        [
            [("CORNER", 10), ("SHOP", 100)],
            [("Tax", 10), ("0.73", 400)],
            [("Total", 10), ("9.88", 400)],
            [("GST", 10), ("Summary", 80), ("9.15", 300), ("0.73", 400)],
        ]
    )
    assert _read(text, words)["total"] == "9.88"
