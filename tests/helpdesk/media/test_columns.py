"""Two columns of prose read as one put back as two (helpdesk/media/columns.py): on the
real two-column scan Tesseract merges at the size pages are read from, and on word boxes
laid out as a page, a receipt and a table would be."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from helpdesk.media import analyze
from helpdesk.media.columns import split_columns
from helpdesk.media.tesseract import Word
from tests.helpdesk.media.real_pages import PAGES, score

HEIGHT = 20


def _line(number: int, *parts: tuple[int, str]) -> list[Word]:
    """Words of one Tesseract line: each part (left x, text) laid out word by word."""
    words = []
    for left, text in parts:
        x = left
        for token in text.split():
            width = 12 * len(token)
            words.append(Word(token, 95.0, (x, 100 + 30 * number, width, HEIGHT), number))
            x += width + 8
    return words


def _two_columns() -> list[Word]:
    """Three lines of two columns and the left one's last line, as Tesseract reads them
    when it runs each left line on into the right one."""
    return [
        *_line(1, (0, "the sequencer is a tool for"), (600, "simply use locate or rewind")),
        *_line(2, (0, "musicians who record songs"), (600, "to find the bar you want")),
        *_line(3, (0, "and play them back later"), (600, "then start recording again")),
        *_line(4, (0, "with all the parts")),
    ]


def _text(words: list[Word]) -> list[str]:
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    return [" ".join(line) for line in lines.values()]


def test_the_linn_scan_reads_its_left_column_before_its_right() -> None:
    # 2550x3300: the analysis reads it at 2400 px tall, where Tesseract ran each left line
    # on into the right one ("Recording a Sequence simply use LOCATE...", 0.742)
    analysis = analyze((PAGES / "linn.png").read_bytes(), purpose="receipt")
    text = analysis.ocr.text
    assert score(text) >= 0.95, text[:400]
    assert "Recording a Sequence\n" in text
    assert text.index("program changes!") < text.index("simply use LOCATE")
    # the heading under both columns comes after the right one
    assert text.index("for a demonstration!") < text.index("Additional Features")


def test_the_linn_scan_turned_a_quarter_reads_the_same() -> None:
    image = Image.open(PAGES / "linn.png").transpose(Image.Transpose.ROTATE_90)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    analysis = analyze(buffer.getvalue(), purpose="receipt")
    assert score(analysis.ocr.text) >= 0.95


def test_two_columns_read_as_one_are_read_left_then_right() -> None:
    words = _two_columns()
    assert _text(split_columns(words)) == [
        "the sequencer is a tool for",
        "musicians who record songs",
        "and play them back later",
        "with all the parts",
        "simply use locate or rewind",
        "to find the bar you want",
        "then start recording again",
    ]


def test_a_heading_under_the_columns_comes_after_both() -> None:
    words = _two_columns()
    heading = _line(6, (0, "Additional Features"))  # a line's gap below: a new section
    assert _text(split_columns([*words, *heading]))[-2:] == [
        "then start recording again",
        "Additional Features",
    ]


def test_a_dash_in_the_gutter_does_not_join_the_columns() -> None:
    words = [
        *_line(1, (0, "one two three four five"), (600, "alpha beta gamma delta")),
        *_line(2, (0, "six seven eight nine ten"), (560, "—"), (600, "eps zeta eta theta")),
        *_line(3, (0, "eleven twelve thirteen"), (600, "iota kappa lambda mu")),
    ]
    assert _text(split_columns(words)) == [
        "one two three four five",
        "six seven eight nine ten",
        "eleven twelve thirteen",
        "alpha beta gamma delta",
        "— eps zeta eta theta",
        "iota kappa lambda mu",
    ]


@pytest.mark.parametrize(
    "rows",
    [
        # the amounts' column is one word a line: rows of a table, read across
        [("Sub Total RM", "15.00"), ("GST 6% RM", "0.90"), ("Total Incl GST RM", "15.90"),
         ("Cash RM", "20.00")],
        # a form's values are short: a label and its value stay on one line
        [("Transaction reference number", "TXN 8A23 F90B"),
         ("Amount paid by card", "18,40 € EUR"), ("Date of the payment", "12 March 2025")],
    ],
    ids=["receipt", "form"],
)  # fmt: skip
def test_rows_of_labels_and_values_keep_their_lines(rows: list[tuple[str, str]]) -> None:
    words = []
    for number, (label, value) in enumerate(rows, 1):
        words += _line(number, (0, label), (600, value))
    assert _text(split_columns(words)) == [f"{label} {value}" for label, value in rows]


def test_a_page_of_one_column_is_left_as_it_was() -> None:
    prose = (0, "a line of plain prose that runs across")
    words = [w for n in range(1, 6) for w in _line(n, prose)]
    assert split_columns(list(words)) == words
    assert split_columns([]) == []
