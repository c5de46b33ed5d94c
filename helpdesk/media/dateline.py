"""A second, closer read of the lines that hold a date.

On thermal receipts the date is small, faint print that Tesseract reads inside the whole
page at the page's letter size and then loses a digit of ("Date 12/2018" for
"25/12/2018", 28 for 25) or the whole date. Read alone, as one line (page segmentation
mode 7) with its letters at READ_LETTER pixels, the same print reads right on the dev
set's misses (tests/data/media-dev, calibration half). Only lines that name a date or
hold a part of one and are not already read surely are read again, at most MAX_LINES of
them, so a clean screenshot costs nothing more.
"""

from __future__ import annotations

import re

import numpy as np

from helpdesk.media.patterns import DATE_PATTERNS
from helpdesk.media.reread import Band, band_of, inside_band, lines_of, read_band, replace_band
from helpdesk.media.tesseract import Word, score

LABEL = re.compile(r"date|fecha|datum|data|tarikh|tanggal|fec\b", re.IGNORECASE)
# A piece of a date ("12/2018", "25/01", "01-03-"); a price's "9.00" is not one.
PART_OF_DATE = re.compile(r"\d{1,2}\s?[/\-]\s?\d{1,4}|\d{1,2}\.\d{1,2}\.\d{2}")
READ_LETTER = 40.0  # pixels: the size the dev set's faint dates read right at
SURE = 85.0  # a line with a full date whose every word reads at this is left alone
MAX_LINES = 3
# The date the receipt is read for is read again at these letter sizes too (see _vote).
VOTE_LETTERS = (28.0, 52.0)


def _has_date(text: str) -> bool:
    return any(pattern.search(text) for pattern, _ in DATE_PATTERNS)


def _worth_rereading(line: list[Word]) -> bool:
    text = " ".join(w.text for w in line)
    if not (LABEL.search(text) or PART_OF_DATE.search(text)):
        return False
    return not (_has_date(text) and min(w.confidence for w in line) >= SURE)


def reread_date_lines(page: np.ndarray, words: list[Word], timeout: float) -> list[Word]:
    """``words`` (read on ``page``, in its pixels) with each date line replaced by its
    closer reading where that reading holds a full date and is the more confident; the
    first such line (the labelled one, the date the receipt is read for) by the reading
    most of its readings at VOTE_LETTERS agree on."""
    chosen = [line for line in lines_of(words) if _worth_rereading(line)]
    # Lines that name the date first: "Date:" beats an address's "14/11".
    chosen.sort(key=lambda line: not LABEL.search(" ".join(w.text for w in line)))
    voted = False
    for line in chosen[:MAX_LINES]:
        band = band_of(page, line, to_page_end=True)
        if band is None:
            continue
        again = read_band(page, band, timeout, letter=READ_LETTER)
        if _date_of(again) is None:
            again, band = _block_line(page, band, timeout)
        before = inside_band(words, band)
        if not before or _dated(again, before) is None:
            continue
        if not voted:
            again = _vote(page, band, again, timeout)
            voted = True
        words = replace_band(words, band, line[0].line, again)
    return words


def _vote(page: np.ndarray, band: Band, first: list[Word], timeout: float) -> list[Word]:
    """Of the band's readings at READ_LETTER and VOTE_LETTERS, one whose date most of them
    read: Tesseract misreads a thermal printer's 5 as a 6 at one letter size and not at
    the next (the dev set's 25/01/2018, read 26 at 32-40 px and 25 at 24-28 and 44-64),
    so two readings that agree settle it and a third breaks a tie."""
    readings = [first]
    for letter in VOTE_LETTERS:
        again = read_band(page, band, timeout, letter=letter)
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
    text = " ".join(w.text for w in words)
    for pattern, _ in DATE_PATTERNS:
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def _dated(again: list[Word], before: list[Word]) -> list[Word] | None:
    """The closer reading, where it holds a full date and is the more confident."""
    if _has_date(" ".join(w.text for w in again)) and score(again) > score(before):
        return again
    return None
