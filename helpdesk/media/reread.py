"""A second, closer read of one line of a page.

Inside a whole page Tesseract reads every line at the page's letter size and with the
page's layout analysis; small or faint print then loses a character or a word. Read
alone, as one line (page segmentation mode 7), cropped from the page with a margin and
scaled so its word boxes are ``letter`` pixels tall, the same print often reads right.
The caller decides which lines are worth it and which reading wins (``combine``):
helpdesk/media/dateline.py for the lines that hold a date.

Tried for every line Tesseract is unsure of (each word keeping the surer of its two
readings): on tests/data/media-dev it moved OCR similarity by +0.00 on the calibration
half and +0.004 on the held-out half for about 0.3 s more CPU per receipt, so it is not
done (figures in the report of branch ocr6). Nor is keeping a word the confidence gate drops
(helpdesk/media/ocr_text.py) when the closer read of its line reads the same text at the same
place: +0.000/+0.005/+0.000/+0.001 at 0/90/180/270 degrees on the calibration half (one
page, whose right-hand prices Tesseract reads right at confidence 0-40), +0.005-0.007 held
out, totals and dates unchanged, for about 0.14 s more CPU per receipt (branch ocr8).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from helpdesk.media.tesseract import GOOD_WORD_CONFIDENCE, Word, run, scale


def lines_of(words: list[Word]) -> list[list[Word]]:
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return list(lines.values())


@dataclass(frozen=True)
class Band:
    """The strip of a page one line was printed on, in the page's pixels."""

    top: int
    bottom: int
    left: int
    right: int
    height: float  # the line's letter height (word-box height), pixels


def band_of(page: np.ndarray, line: list[Word], *, to_page_end: bool = False) -> Band | None:
    """The line's strip with a margin; ``to_page_end``: it runs to the page's right edge (a
    date's time or a price may have been dropped). Its height is the line's own letters':
    a box Tesseract drew over a smudge or two lines of print ("Date: An" with "An" as tall
    as four lines) does not make the strip several lines tall, where a one-line read then
    reads nothing."""
    sure = [w for w in line if w.confidence >= GOOD_WORD_CONFIDENCE] or line
    height = float(np.median([w.box[3] for w in sure]))
    letters = [w for w in line if w.box[3] <= 1.5 * height] or line
    top = max(0, int(min(w.box[1] for w in letters) - 0.4 * height))
    bottom = min(page.shape[0], int(max(w.box[1] + w.box[3] for w in letters) + 0.4 * height))
    left = max(0, int(min(w.box[0] for w in line) - height))
    right = page.shape[1]
    if not to_page_end:
        right = min(right, int(max(w.box[0] + w.box[2] for w in line) + height))
    if bottom - top < 4 or right - left < 4:
        return None
    return Band(top, bottom, left, right, height)


def band_factor(band: Band, letter: float) -> float:
    """The scale ``read_band`` reads ``band`` at for ``letter``: never down, at most 4x;
    1.0 where scaling would not change the picture (helpdesk/media/tesseract.scale), so
    two letter sizes with the same factor are the same read."""
    factor = min(4.0, max(1.0, letter / max(band.height, 1.0)))
    return 1.0 if abs(factor - 1.0) < 0.05 else factor


def read_band(
    page: np.ndarray, band: Band, timeout: float, *, letter: float, psm: int = 7
) -> list[Word]:
    """The band read alone as one line (``psm`` 6: as a block of lines), scaled so its
    letters are ``letter`` pixels tall; word boxes in ``page``'s pixels. Nothing when
    Tesseract fails (the closer look is a bonus; the page's own reading stands)."""
    import pytesseract

    factor = band_factor(band, letter)
    crop = page[band.top : band.bottom, band.left : band.right]
    try:
        again = run(scale(crop, factor), psm, timeout)
    except (RuntimeError, pytesseract.TesseractError):
        return []
    for word in again:
        x, y, w, h = word.box
        word.box = (
            round(band.left + x / factor),
            round(band.top + y / factor),
            round(w / factor),
            round(h / factor),
        )
    return again


def inside_band(words: list[Word], band: Band) -> list[Word]:
    """The words of ``words`` whose boxes stand in the band (also words Tesseract had put
    on another line)."""
    return [
        w
        for w in words
        if band.top <= w.box[1] + w.box[3] / 2 <= band.bottom
        and band.left <= w.box[0] <= band.right - w.box[2] / 2
    ]


def replace_band(words: list[Word], band: Band, line_number: int, new: list[Word]) -> list[Word]:
    """``words`` with everything in the band replaced by ``new`` (put on ``line_number``),
    where the words stood; ``words`` as they were when nothing is in the band."""
    inside = inside_band(words, band)
    if not inside:
        return words
    for word in new:
        word.line = line_number
    gone = {id(w) for w in inside}
    first = next(i for i, w in enumerate(words) if id(w) in gone)
    kept = [w for w in words if id(w) not in gone]
    at = sum(1 for w in words[:first] if id(w) not in gone)
    return kept[:at] + new + kept[at:]


def reread_line(
    page: np.ndarray,
    words: list[Word],
    line: list[Word],
    timeout: float,
    *,
    combine: Callable[[list[Word], list[Word]], list[Word] | None],
    to_page_end: bool = False,
    letter: float,
) -> list[Word]:
    """``words`` (read on ``page``, in its pixels) with the words of ``line``'s band
    replaced by ``combine(again, before)``: the closer reading (in ``page``'s pixels) and
    the words it read again; None keeps them as they were. ``to_page_end``: the band
    runs to the page's right edge (a date's time or a price may have been dropped);
    ``letter``: the word-box height, in pixels, the band is scaled to."""
    band = band_of(page, line, to_page_end=to_page_end)
    if band is None:
        return words
    again = read_band(page, band, timeout, letter=letter)
    before = inside_band(words, band)
    if not again or not before:
        return words
    combined = combine(again, before)
    if combined is None:
        return words
    return replace_band(words, band, line[0].line, combined)
