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
from helpdesk.media.tesseract import Word, run, scale, score

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
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    chosen = [line for line in lines.values() if _worth_rereading(line)]
    # Lines that name the date first: "Date:" beats an address's "14/11".
    chosen.sort(key=lambda line: not LABEL.search(" ".join(w.text for w in line)))
    for line in chosen[:MAX_LINES]:
        words = _reread(page, words, line, timeout)
    return words


def _reread(page: np.ndarray, words: list[Word], line: list[Word], timeout: float) -> list[Word]:
    height = float(np.median([w.box[3] for w in line]))
    top = max(0, int(min(w.box[1] for w in line) - 0.4 * height))
    bottom = min(page.shape[0], int(max(w.box[1] + w.box[3] for w in line) + 0.4 * height))
    left = max(0, int(min(w.box[0] for w in line) - height))
    if bottom - top < 4:
        return words
    factor = min(4.0, max(1.0, READ_LETTER / max(height, 1.0)))
    import pytesseract

    try:
        again = run(scale(page[top:bottom, left:], factor), 7, timeout)
    except (RuntimeError, pytesseract.TesseractError):
        return words  # the closer look is a bonus; the page's own reading stands
    if not _has_date(" ".join(w.text for w in again)):
        return words
    # Everything in the band was read again, words Tesseract had put on another line too.
    inside = [w for w in words if top <= w.box[1] + w.box[3] / 2 <= bottom and w.box[0] >= left]
    if score(again) <= score(inside):
        return words
    number = line[0].line
    for word in again:
        x, y, w, h = word.box
        word.box = (
            round(left + x / factor),
            round(top + y / factor),
            round(w / factor),
            round(h / factor),
        )
        word.line = number
    gone = {id(w) for w in inside}
    at = next(i for i, w in enumerate(words) if id(w) in gone)
    kept = [w for w in words if id(w) not in gone]
    at = sum(1 for w in words[:at] if id(w) not in gone)
    return kept[:at] + again + kept[at:]
