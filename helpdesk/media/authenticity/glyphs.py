"""A digit that does not match the other digits of its number (a copy-pasted digit).

The quick edit of a receipt photo: one digit of the total or the date covered by another
digit cut from elsewhere on the same receipt. Its pixels are real, its word box is the
word's (so ``edits.inconsistent_text``, which compares whole words, cannot see it), but a
digit cut from another line rarely lands on the number's own baseline at the number's own
size, and resizing it to the cell blurs it.

So each number that OCR read (two digits or more) is cut into its glyphs (columns of ink
inside the word's box), and every glyph of digit height is compared with the median of the
number's other glyphs: its ink height, where its ink starts and stops (top and baseline),
and its edge sharpness (the mean gradient on its ink's edges over the ink's contrast).
Thresholds in ``LIMITS``: calibrated on the dev half (tests/helpdesk/media/authenticity/
test_glyphs.py prints both halves; the held-out half is only measured).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpdesk.media.authenticity.signals import Code, Severity, Signal

# A digit further than this from its number's other digits (shares of their median
# height) is flagged: calibrated on the dev half, see the module's notes.
LIMITS = {"height": 0.3, "top": 0.3, "bottom": 0.3}
MIN_CONFIDENCE = 50.0
MIN_HEIGHT_PX = 10  # digits smaller than this have too few rows to measure
MAX_SIGNALS = 2


@dataclass(frozen=True)
class Glyph:
    left: int  # columns within the word's crop
    right: int
    top: int  # rows of ink within the crop
    bottom: int
    sharpness: float


@dataclass(frozen=True)
class Oddity:
    word: Any
    glyph: Glyph
    measures: dict[str, float]  # relative gaps to the number's other glyphs
    box: tuple[int, int, int, int]  # the glyph in the picture's pixels (x, y, w, h)


def _upright(crop: np.ndarray, rotation: int) -> np.ndarray:
    """A word read on a page turned clockwise by ``rotation``, turned the same way."""
    return np.rot90(crop, k=-(rotation // 90) % 4) if rotation else crop


def glyphs(crop: np.ndarray) -> list[Glyph]:
    """The glyphs of an upright word crop (dark ink on a light ground), left to right."""
    import cv2

    if min(crop.shape) < 4:
        return []
    pixels = np.ascontiguousarray(crop)
    _, ink = cv2.threshold(pixels, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    contrast = float(np.percentile(pixels, 90) - np.percentile(pixels, 10))
    if contrast < 30:
        return []
    gradient = np.hypot(
        cv2.Sobel(pixels.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3),
        cv2.Sobel(pixels.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3),
    )
    edges = cv2.dilate(ink, np.ones((3, 3), np.uint8)) - cv2.erode(ink, np.ones((3, 3), np.uint8))
    columns = ink.sum(axis=0) > 0
    found = []
    start = None
    for x, filled in enumerate([*columns, False]):
        if filled and start is None:
            start = x
        elif not filled and start is not None:
            rows = np.nonzero(ink[:, start:x].sum(axis=1))[0]
            edge = edges[:, start:x] > 0
            sharp = float(gradient[:, start:x][edge].mean()) / contrast if edge.any() else 0.0
            found.append(Glyph(start, x, int(rows[0]), int(rows[-1]) + 1, sharp))
            start = None
    return found


def odd_glyphs(
    grey: np.ndarray, words: Sequence[Any], *, rotation: int = 0
) -> list[tuple[Any, Glyph, dict[str, float], tuple[int, int, int, int]]]:
    """Every digit-height glyph of every read number with its gaps to the number's other
    glyphs (``height``, ``top``, ``bottom`` as shares of the median height, ``sharpness``
    as a ratio), for the check and for its calibration."""
    out = []
    for word in words:
        text = str(word.text)
        if word.confidence < MIN_CONFIDENCE or sum(c.isdigit() for c in text) < 3:
            continue
        x, y, w, h = word.box
        if min(w, h) < MIN_HEIGHT_PX:
            continue
        crop = _upright(grey[max(0, y - 2) : y + h + 2, max(0, x - 2) : x + w + 2], rotation)
        found = glyphs(crop)
        tall = [g for g in found if g.bottom - g.top >= 0.6 * max(b.bottom - b.top for b in found)]
        if len(tall) < 3:
            continue
        for glyph in tall:
            others = [g for g in tall if g is not glyph]
            size = float(np.median([g.bottom - g.top for g in others]))
            if size < MIN_HEIGHT_PX:
                continue
            sharp = float(np.median([g.sharpness for g in others]))
            gaps = {
                "height": ((glyph.bottom - glyph.top) - size) / size,
                "top": (glyph.top - float(np.median([g.top for g in others]))) / size,
                "bottom": (glyph.bottom - float(np.median([g.bottom for g in others]))) / size,
                "sharpness": glyph.sharpness / sharp if sharp > 0 else 1.0,
            }
            out.append((word, glyph, gaps, (x, y, w, h)))
    return out


def pasted_digits(grey: np.ndarray, words: Sequence[Any], *, rotation: int = 0) -> list[Signal]:
    """``digit_inconsistent`` signals: a digit off its number's size or line, with the
    number's box as ``region`` (fractions of ``grey``)."""
    height, width = grey.shape
    signals: list[Signal] = []
    seen: set[int] = set()
    for word, _glyph, gaps, (x, y, w, h) in odd_glyphs(grey, words, rotation=rotation):
        if id(word) in seen:
            continue
        off = {name: gaps[name] for name, limit in LIMITS.items() if abs(gaps[name]) > limit}
        if not off:
            continue
        seen.add(id(word))
        what = ", ".join(_said(name, gaps[name]) for name in off)
        signals.append(
            Signal(
                Code.DIGIT_INCONSISTENT,
                Severity.NOTABLE,
                f'One digit of "{word.text}" does not match the number\'s other digits '
                f"({what}): digits printed together share their size and line, so it may "
                "have been pasted in from elsewhere. Look at the marked number closely and "
                "check it against the order or the bank's records.",
                {"text": str(word.text)[:40], **{k: round(v, 3) for k, v in gaps.items()}},
                region=(
                    round(x / width, 4),
                    round(y / height, 4),
                    round((x + w) / width, 4),
                    round((y + h) / height, 4),
                ),
            )
        )
    return signals[:MAX_SIGNALS]


def _said(name: str, gap: float) -> str:
    if name == "height":
        return f"{abs(gap):.0%} {'taller' if gap > 0 else 'shorter'}"
    part = "top" if name == "top" else "foot"
    return f"its {part} {abs(gap):.0%} of a digit {'lower' if gap > 0 else 'higher'}"
