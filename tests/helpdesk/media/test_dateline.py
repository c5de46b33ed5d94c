"""The date line read again: which line, and which of its readings is the date.

Tesseract itself is replaced here by the readings it gave on the dev receipts
(tests/data/media-dev, see helpdesk/media/dateline.py); the real receipts are measured in
tests/helpdesk/media/test_real_media.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpdesk.media import dateline
from helpdesk.media.reread import Band
from helpdesk.media.tesseract import Word

PAGE = np.full((400, 600), 255, dtype=np.uint8)


def _line(*words: tuple[str, float], y: int = 100, line: int = 1, height: int = 24) -> list[Word]:
    out, x = [], 10
    for text, confidence in words:
        out.append(Word(text, confidence, (x, y, 12 * len(text), height), line))
        x += 12 * len(text) + 12
    return out


def _reads(
    monkeypatch: pytest.MonkeyPatch, by_letter: dict[float, list[tuple[str, float]]]
) -> list[tuple[float, int]]:
    calls: list[tuple[float, int]] = []

    def read_band(
        page: np.ndarray, band: Band, timeout: float, *, letter: float, psm: int = 7
    ) -> list[Word]:
        calls.append((letter, psm))
        return _line(*by_letter.get(letter, []), y=band.top + 10, height=24)

    monkeypatch.setattr(dateline, "read_band", read_band)
    return calls


def test_the_date_two_readings_agree_on_beats_a_confident_misread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Receipt 022: "25/01/2018" read 26 at 40 px (confidently), 25 at 28 and 52 px.
    _reads(
        monkeypatch,
        {40.0: [("26/01/2018", 88)], 28.0: [("25/01/2018", 92)], 52.0: [("25/01/2018", 88)]},
    )
    words = _line(("28/01/2018", 65), ("1:22:56PM", 45))
    read = dateline.reread_date_lines(PAGE, words, 5.0)
    assert [w.text for w in read] == ["25/01/2018"]


def test_two_readings_that_agree_need_no_third(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _reads(monkeypatch, {40.0: [("12/03/18", 90)], 28.0: [("12/03/18", 91)]})
    read = dateline.reread_date_lines(PAGE, _line(("Date:", 95), ("12/03/1B", 50)), 5.0)
    assert [w.text for w in read] == ["12/03/18"]
    assert [letter for letter, _ in calls] == [40.0, 28.0]


def test_a_surely_read_labelled_date_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _reads(monkeypatch, {})
    words = _line(("Date:", 95), ("25/12/2018", 93)) + _line(
        ("EZ10HD05", 80), ("-", 90), ("24", 95), y=200, line=2
    )
    assert dateline.reread_date_lines(PAGE, words, 5.0) == words
    assert calls == []


def test_product_codes_are_not_read_once_the_date_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Receipt 002: product codes such as "EZ10HD05 - 24" look like pieces of a date; the
    # date line itself comes first and, once it reads, nothing else is read.
    calls = _reads(monkeypatch, {40.0: [("12-01-19", 97)], 28.0: [("12-01-19", 97)]})
    codes = _line(("EZ10HD05", 83), ("-", 93), ("24", 97), y=60, line=1)
    date = _line(("12-", 81), ("01-19", 96), ("21:13", 93), y=300, line=2)
    read = dateline.reread_date_lines(PAGE, codes + date, 5.0)
    assert "12-01-19" in [w.text for w in read]
    assert len(calls) == 2  # the date line at two letter sizes, no product code


def test_a_line_boxed_over_two_printed_lines_is_read_as_a_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Receipt 087: "Date:" boxed as tall as the date's and the time's lines together;
    # read as one line the strip reads as nothing, as a block it reads each line.
    calls: list[int] = []

    def read_band(
        page: np.ndarray, band: Band, timeout: float, *, letter: float, psm: int = 7
    ) -> list[Word]:
        calls.append(psm)
        if psm == 6:  # the date's line at y 100, the time's at 126
            return _line(("Date:", 94), ("27/07/17", 96), line=7) + _line(
                ("Time:", 80), ("1:12", 80), y=126, line=8
            )
        return _line(("Date:", 60), ("27/07/17", 70)) if letter == 28.0 else []

    monkeypatch.setattr(dateline, "read_band", read_band)
    # The page read "Date:" and "An" over both lines (50 px tall; its letters are 24 px).
    page_words = _line(("Date:", 95), ("An", 33), height=50) + _line(
        ("Trans:", 90), ("311136194", 90), y=250, line=2
    )
    read = dateline.reread_date_lines(PAGE, page_words, 5.0)
    assert "27/07/17" in [w.text for w in read]
    assert 6 in calls
