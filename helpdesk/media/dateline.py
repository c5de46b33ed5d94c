"""A second, closer read of the lines that hold a date.

On thermal receipts the date is small, faint print that Tesseract reads inside the whole
page at the page's letter size and then loses a digit of ("Date 12/2018" for
"25/12/2018", 28 for 25) or the whole date. Read alone, as one line (page segmentation
mode 7) with its letters at READ_LETTER pixels, the same print reads right on the dev
set's misses (tests/data/media-dev, calibration half). Only lines that name a date or
hold a part of one and are not already read surely are read again, the labelled one
first, and only until one holds a full date (at most MAX_LINES), so a clean screenshot
costs nothing more. That date is read at two more letter sizes and the reading two of
them agree on kept (see _vote).
"""

from __future__ import annotations

import re

import numpy as np

from helpdesk.media.patterns import DATE_PATTERNS
from helpdesk.media.receipts import OTHER_DATE
from helpdesk.media.reread import (
    Band,
    band_factor,
    band_of,
    inside_band,
    lines_of,
    read_band,
    replace_band,
)
from helpdesk.media.tesseract import Word

LABEL = re.compile(r"date|fecha|datum|data|tarikh|tanggal|fec\b", re.IGNORECASE)
# A piece of a date ("12/2018", "25/01", "01-03-"); a price's "9.00" is not one.
PART_OF_DATE = re.compile(r"\d{1,2}\s?[/\-]\s?\d{1,4}|\d{1,2}\.\d{1,2}\.\d{2}")
READ_LETTER = 40.0  # pixels: the size the dev set's faint dates read right at
SURE = 85.0  # a line with a full date whose every word reads at this is left alone
MAX_LINES = 3
# A line with a word box this many times the page's letter height was boxed over more
# than one printed line (see _block_line).
TALL_LINE = 1.6
# The date the receipt is read for is read again at these letter sizes too (see _vote).
VOTE_LETTERS = (28.0, 52.0)


def _has_date(text: str) -> bool:
    return any(pattern.search(text) for pattern, _ in DATE_PATTERNS)


def _text(line: list[Word]) -> str:
    return " ".join(w.text for w in line)


def _sure(line: list[Word]) -> bool:
    return _has_date(_text(line)) and min(w.confidence for w in line) >= SURE


def _worth_rereading(line: list[Word]) -> bool:
    text = _text(line)
    if not (LABEL.search(text) or PART_OF_DATE.search(text)):
        return False
    return not _sure(line)


def _order(line: list[Word]) -> int:
    """Which lines are read again first: the one that names the date ("Date:" beats an
    address's "14/11"), then a full date read unsurely, then a piece of one."""
    text = _text(line)
    if LABEL.search(text) and not OTHER_DATE.search(text):
        return 0
    return 1 if _has_date(text) else 2


def reread_date_lines(page: np.ndarray, words: list[Word], timeout: float) -> list[Word]:
    """``words`` (read on ``page``, in its pixels) with the date line replaced by its
    closer reading where that holds a full date and is the more confident (by the reading
    most of its readings at VOTE_LETTERS agree on). Lines are tried in ``_order`` until
    one reads as a full date; none when the page already reads a labelled date surely."""
    lines = lines_of(words)
    if any(_order(line) == 0 and _sure(line) for line in lines):
        return words
    chosen = sorted((line for line in lines if _worth_rereading(line)), key=_order)
    sure_heights = [w.box[3] for w in words if w.confidence >= SURE]
    letter = float(np.median(sure_heights)) if sure_heights else None
    for line in chosen[:MAX_LINES]:
        band = band_of(page, line, to_page_end=True)
        if band is None:
            continue
        again = read_band(page, band, timeout, letter=READ_LETTER)
        first_letter: float | None = READ_LETTER  # what ``again`` was read at, as one line
        tallest = max(w.box[3] for w in line)
        if _date_of(again) is None and letter and tallest > TALL_LINE * letter:
            again, band = _block_line(page, band, timeout)
            first_letter = None
        before = inside_band(words, band)
        if before and _dated(again, before) is not None:
            voted = _vote(page, band, again, timeout, first_letter)
            return replace_band(words, band, line[0].line, voted)
        if _has_date(_text(line)):
            return words  # the date was read on the page, and not worse than again
    return words


def _vote(
    page: np.ndarray, band: Band, first: list[Word], timeout: float, first_letter: float | None
) -> list[Word]:
    """Of the band's readings at READ_LETTER and VOTE_LETTERS, one whose date most of them
    read: Tesseract misreads a thermal printer's 5 as a 6 at one letter size and not at
    the next (the dev set's 25/01/2018, read 26 at 32-40 px and 25 at 24-28 and 44-64),
    so two readings that agree settle it and a third breaks a tie. ``first_letter``: the
    letter size ``first`` was read at as one line (None: read otherwise). Where two letter
    sizes come to the same scale (print taller than both is read at its own size,
    reread.band_factor), the reading is taken again, not read again: the same picture
    reads the same."""
    readings = [first]
    done: dict[float, list[Word]] = {}
    if first_letter is not None:
        done[band_factor(band, first_letter)] = first
    for letter in VOTE_LETTERS:
        factor = band_factor(band, letter)
        again = done.get(factor)
        if again is None:
            again = done[factor] = read_band(page, band, timeout, letter=letter)
        if _date_of(again) is not None:
            readings.append(again)
        dates = [_date_of(r) for r in readings]
        if len(readings) >= 2 and dates.count(dates[0]) >= 2:
            return first
        for index, date in enumerate(dates[1:], 1):
            if dates.count(date) >= 2:
                return readings[index]
    return first


def _block_line(page: np.ndarray, band: Band, timeout: float) -> tuple[list[Word], Band]:
    """The dated line of a strip that holds more than one line of print, and its own
    strip: Tesseract sometimes boxes a word over two printed lines ("Date:" as tall as the
    date's and the time's lines together), and read as one line the strip then reads as
    nothing; read as a block of lines it reads each."""
    lines: dict[int, list[Word]] = {}
    for word in read_band(page, band, timeout, letter=READ_LETTER, psm=6):
        lines.setdefault(word.line, []).append(word)
    for line in lines.values():
        if _date_of(line) is None:
            continue
        own = band_of(page, line, to_page_end=True)
        if own is not None:
            return line, Band(own.top, own.bottom, band.left, band.right, own.height)
    return [], band


def _date_of(words: list[Word]) -> str | None:
    text = _text(words)
    for pattern, _ in DATE_PATTERNS:
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def _dated(again: list[Word], before: list[Word]) -> list[Word] | None:
    """The closer reading, where it holds a full date and reads it more confidently than
    the page did (its date's words; a page that read no full date there reads it at 0)."""
    if _date_of(again) is not None and _date_confidence(again) > _date_confidence(before):
        return again
    return None


def _date_confidence(words: list[Word]) -> float:
    """The confidence of the least sure word a full date was read from (0: no date)."""
    text, spans, position = "", [], 0
    for word in words:
        spans.append((position, position + len(word.text), word.confidence))
        text += word.text + " "
        position += len(word.text) + 1
    for pattern, _ in DATE_PATTERNS:
        found = pattern.search(text)
        if found:
            inside = [c for a, b, c in spans if a < found.end() and b > found.start()]
            return min(inside) if inside else 0.0
    return 0.0
