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
done (figures in the report of branch ocr6).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpdesk.media.tesseract import Word, run, scale


def lines_of(words: list[Word]) -> list[list[Word]]:
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return list(lines.values())


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
    height = float(np.median([w.box[3] for w in line]))
    top = max(0, int(min(w.box[1] for w in line) - 0.4 * height))
    bottom = min(page.shape[0], int(max(w.box[1] + w.box[3] for w in line) + 0.4 * height))
    left = max(0, int(min(w.box[0] for w in line) - height))
    right = page.shape[1]
    if not to_page_end:
        right = min(right, int(max(w.box[0] + w.box[2] for w in line) + height))
    if bottom - top < 4 or right - left < 4:
        return words
    factor = min(4.0, max(1.0, letter / max(height, 1.0)))
    import pytesseract

    try:
        again = run(scale(page[top:bottom, left:right], factor), 7, timeout)
    except (RuntimeError, pytesseract.TesseractError):
        return words  # the closer look is a bonus; the page's own reading stands
    # Everything in the band is replaced, words Tesseract had put on another line too.
    inside = [
        w
        for w in words
        if top <= w.box[1] + w.box[3] / 2 <= bottom and left <= w.box[0] <= right - w.box[2] / 2
    ]
    if not again or not inside:
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
    combined = combine(again, inside)
    if combined is None:
        return words
    gone = {id(w) for w in inside}
    first = next(i for i, w in enumerate(words) if id(w) in gone)
    kept = [w for w in words if id(w) not in gone]
    at = sum(1 for w in words[:first] if id(w) not in gone)
    return kept[:at] + combined + kept[at:]
