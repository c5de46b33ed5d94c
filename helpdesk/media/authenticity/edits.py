"""Edits seen in the picture itself: on a screenshot or an e-receipt, a number (amount,
date, id) whose size or baseline does not match the words of its line (what pasting a
different amount over the real one leaves when the editor's font or position is off).

Read from Tesseract's word boxes (``helpdesk.media.ocr``). Only words that stand between
the baseline and the capital height are compared (digits, capitals, letters without
descenders such as "Amount:", "TOTAL", "12.00"): in one font size their boxes are the same
height, so a number a quarter taller or shorter than its line's words, or sitting a third
of a letter off their baseline, was not typed with them. Each signal carries the word's
box as ``region`` (fractions of the picture) for the console to highlight.

Rendered pictures only (screenshots, e-receipts): on camera photos of paper receipts the
boxes move with the paper's curve and the print's bold totals, and the real receipts of
tests/data/media-dev gave five false alarms in seventeen; there this check stays silent.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from typing import Any

from helpdesk.media.authenticity.signals import Code, Severity, Signal

# Calibrated on the real receipts and screenshots of tests/data/media-dev (no honest one
# flagged) against edited copies of them (tests/helpdesk/media/authenticity/test_edits.py).
HEIGHT_GAP = 0.25  # a word this much taller or shorter than its line's median
BASELINE_GAP = 0.35  # a word's bottom this share of the line's height off its baseline
MIN_PIXELS = 3  # below this the boxes' own rounding decides
MIN_CONFIDENCE = 60.0
MAX_SIGNALS = 2
_DESCENDERS = set("gjpqy,;()[]{}|/@")
_CURRENCY = "$€£¥"


def _number(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 2


def _cap_word(text: str) -> bool:
    core = text.strip(".:,;" + _CURRENCY)
    # A thousands comma ("1,234.56") dips a little below the line; other commas and
    # descenders make the box taller than the line's.
    plain = re.sub(r"(?<=\d),(?=\d)", "", core)
    if len(core) < 2 or any(c in _DESCENDERS for c in plain):
        return False
    tall = any(c.isdigit() or c.isupper() or c in "bdfhklt" for c in core)
    small = any(c in "acemnorsuvwxz" for c in core)
    return tall and (not small or core[:1].isupper() or core[:1].isdigit())


def inconsistent_text(words: Sequence[Any], *, width: int, height: int) -> list[Signal]:
    """Signals for words whose height or baseline differs from their line's (``words``:
    OCR words with ``text``, ``confidence``, ``box`` (x, y, w, h) and ``line``)."""
    lines: dict[int, list[Any]] = {}
    for word in words:
        if word.confidence >= MIN_CONFIDENCE and _cap_word(word.text):
            lines.setdefault(word.line, []).append(word)
    signals: list[Signal] = []
    for line in lines.values():
        words_of_line = [w for w in line if not _number(w.text)]
        for word in [w for w in line if _number(w.text)]:
            others = words_of_line or [w for w in line if w is not word]
            if len(others) < (1 if words_of_line else 2):
                continue  # nothing to compare the number with
            size = statistics.median(w.box[3] for w in others)
            base = statistics.median(w.box[1] + w.box[3] for w in others)
            if size < 6:
                continue
            x, y, w, h = word.box
            taller = (h - size) / size
            off = ((y + h) - base) / size
            if abs(h - size) >= MIN_PIXELS and abs(taller) > HEIGHT_GAP:
                what = f"{'taller' if taller > 0 else 'shorter'} than the other words of its line"
                how = f"{abs(taller):.0%} {'taller' if taller > 0 else 'shorter'}"
            elif abs((y + h) - base) >= MIN_PIXELS and abs(off) > BASELINE_GAP:
                what = f"{'below' if off > 0 else 'above'} the line the other words sit on"
                how = f"{abs(off):.0%} of a letter {'lower' if off > 0 else 'higher'}"
            else:
                continue
            signals.append(
                Signal(
                    Code.TEXT_INCONSISTENT,
                    Severity.NOTABLE,
                    f'"{word.text}" is {what} ({how}): text typed in one go lines up, so '
                    "it may have been pasted over the original. Compare it with the order "
                    "or the bank's records before relying on it.",
                    {
                        "text": word.text[:40],
                        "line": " ".join(w.text for w in line)[:120],
                        "height_px": h,
                        "line_height_px": size,
                    },
                    region=(
                        round(x / width, 4),
                        round(y / height, 4),
                        round((x + w) / width, 4),
                        round((y + h) / height, 4),
                    ),
                )
            )
            break  # one odd number per line is enough to look at it
    signals.sort(key=lambda s: -abs(s.evidence["height_px"] - s.evidence["line_height_px"]))
    return signals[:MAX_SIGNALS]
