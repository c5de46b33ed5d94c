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
from helpdesk.media.reread import lines_of, reread_line
from helpdesk.media.tesseract import Word, score

LABEL = re.compile(r"date|fecha|datum|data|tarikh|tanggal|fec\b", re.IGNORECASE)
# A piece of a date ("12/2018", "25/01", "01-03-"); a price's "9.00" is not one.
PART_OF_DATE = re.compile(r"\d{1,2}\s?[/\-]\s?\d{1,4}|\d{1,2}\.\d{1,2}\.\d{2}")
READ_LETTER = 40.0  # pixels: the size the dev set's faint dates read right at
SURE = 85.0  # a line with a full date whose every word reads at this is left alone
MAX_LINES = 3


def _has_date(text: str) -> bool:
    return any(pattern.search(text) for pattern, _ in DATE_PATTERNS)


def _worth_rereading(line: list[Word]) -> bool:
    text = " ".join(w.text for w in line)
    if not (LABEL.search(text) or PART_OF_DATE.search(text)):
        return False
    return not (_has_date(text) and min(w.confidence for w in line) >= SURE)


def reread_date_lines(page: np.ndarray, words: list[Word], timeout: float) -> list[Word]:
    """``words`` (read on ``page``, in its pixels) with each date line replaced by its
    closer reading where that reading holds a full date and is the more confident."""
    chosen = [line for line in lines_of(words) if _worth_rereading(line)]
    # Lines that name the date first: "Date:" beats an address's "14/11".
    chosen.sort(key=lambda line: not LABEL.search(" ".join(w.text for w in line)))
    for line in chosen[:MAX_LINES]:
        words = reread_line(
            page, words, line, timeout, combine=_dated, to_page_end=True, letter=READ_LETTER
        )
    return words


def _dated(again: list[Word], before: list[Word]) -> list[Word] | None:
    """The closer reading, where it holds a full date and is the more confident."""
    if _has_date(" ".join(w.text for w in again)) and score(again) > score(before):
        return again
    return None
