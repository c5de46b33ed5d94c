"""Does a fingerprint match between two app screens show the same content?

Two screenshots of one app share their frame: the bars, the buttons, the layout, the
"Payment sent" tick. Their perceptual hashes are close whatever the screen says, so two
honest customers' payment confirmations of a popular bank app matched each other as reuse
(15 in 15 made-up "payment sent" screens with different amounts and names), and two chat
screenshots with the same frame around different photos matched at ~7 % (dev half). An
agent shown "this picture was used before" on every payment screenshot learns to ignore it.

So when both pictures are app screens (``metrics.digital``), the match is reported only when
what the screens *say or show* agrees too:

- a picture inside one of them (a photo in a chat bubble, ``e…`` views) matches the other
  or the picture inside it: that is the picture, reported;
- both hold a picture inside and those differ: the same frame around two photos, not
  reported, unless the whole pictures are nearly bit for bit the same hash (one file
  re-encoded, where the regions found inside moved);
- otherwise (a screen of text: a transfer, an order, an error dialog) the text read from
  both must agree: nearly the same words, and the same figures (amounts, dates, times,
  transaction ids: every token with a digit) — ``text_agrees``. When the text of either
  was not read (a screen sent for a step that reads no text, the product photo step), only
  the whole pictures nearly bit for bit the same hash count (one file re-encoded or
  resized): a cropped copy of a screen sent there is not found.

A camera photo on either side is judged by its fingerprint alone, as before: its content is
the picture, and a crop or a filter would change what OCR reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from helpdesk.media.authenticity.fingerprint import Fingerprint, hamming_bytes
from helpdesk.media.authenticity.index import compare

EMBEDDED = "e"  # views of a picture inside a screenshot (fingerprint.embedded_regions)
# Dev half (tests/helpdesk/media/authenticity/test_evaluation.py prints both halves): a
# re-encoded, smaller copy of a screen is read with word overlap ≥ 0.9 and the same figures;
# different payments on one template share about half of their words and of their figures
# only the app's own (the clock, the account's last digits: overlap ~0.25), since the
# amount, the date and the transaction id all differ. Figures must overlap by more than
# 0.6: one figure misread (an "I" read as "1" makes a word a figure) among four or more
# still agrees, and so does the same screen with only its amount changed (reuse, which
# ``copies.py`` then tells apart as an edited copy from the fields read).
WORDS_MIN = 0.8
FIGURES_MIN = 0.6
# Two whole pictures this close (of 256 bits) are one file re-encoded: dev half, the same
# chat screenshot again ≤ 2, the same chat frame around two different photos ≥ 16; a
# payment screen re-encoded and resized ≤ 6, another payment on the same screen ≥ 14.
SAME_FILE_DETAIL = 8
# Fewer words than this is too little text to call two screens the same (an icon, a photo
# with a caption).
MIN_TOKENS = 4
_TOKEN = re.compile(r"[^\W_]+(?:[.,:/-][^\W_]+)*")


@dataclass(frozen=True)
class Content:
    """What the product knows of a picture besides its fingerprint."""

    digital: bool  # an app screen or rendering (quality's ``digital``)
    text: str | None  # the text read from it, None when nothing was read
    # The fields read (the analysis' ``fields``: total, date, transaction id, with boxes)
    # and the picture's size in pixels, for telling an edited copy (``copies.py``).
    fields: tuple[dict[str, Any], ...] = ()
    size: tuple[int, int] | None = None

    @classmethod
    def of(cls, analysis: dict[str, Any] | None) -> Content:
        analysis = analysis if isinstance(analysis, dict) else {}
        metrics = analysis.get("metrics") if isinstance(analysis.get("metrics"), dict) else {}
        ocr = analysis.get("ocr") if isinstance(analysis.get("ocr"), dict) else {}
        text = ocr.get("text") if isinstance(ocr.get("text"), str) else None
        read = analysis.get("fields") if isinstance(analysis.get("fields"), list) else []
        width, height = metrics.get("width"), metrics.get("height")
        sized = isinstance(width, int) and isinstance(height, int)
        size = (int(width), int(height)) if sized else None
        return cls(
            bool(metrics.get("digital")),
            text or None,
            tuple(f for f in read if isinstance(f, dict)),
            size,
        )


def tokens(text: str) -> set[str]:
    """Words and figures, case and accents of punctuation aside: "RM 9.00" → {rm, 9.00}."""
    return {t for t in _TOKEN.findall(text.lower()) if len(t) >= 2 or t.isdigit()}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def figures(found: set[str]) -> set[str]:
    """The tokens with a digit: amounts, dates, times, ids."""
    return {t for t in found if any(c.isdigit() for c in t)}


def text_agrees(first: str, second: str) -> bool:
    """Nearly the same words and the same figures (amounts, dates, ids)."""
    a, b = tokens(first), tokens(second)
    if len(a) < MIN_TOKENS or len(b) < MIN_TOKENS or _overlap(a, b) < WORDS_MIN:
        return False
    return _overlap(figures(a), figures(b)) > FIGURES_MIN


def _whole(first: Fingerprint, second: Fingerprint) -> int:
    """The 256-bit distance of the two whole pictures (``full`` views)."""
    a = next((v for v in first.views if v.view == "full"), None)
    b = next((v for v in second.views if v.view == "full"), None)
    return hamming_bytes(a.detail, b.detail) if a is not None and b is not None else 256


def _part(fingerprint: Fingerprint, *, embedded: bool) -> Fingerprint:
    return Fingerprint(
        tuple(v for v in fingerprint.views if v.view.startswith(EMBEDDED) == embedded)
    )


def same_content(
    query: Content, earlier: Content, query_print: Fingerprint, earlier_print: Fingerprint
) -> bool:
    """Whether a fingerprint match between two pictures is reuse (see the module's notes)."""
    if not (query.digital and earlier.digital):
        return True
    query_inside = _part(query_print, embedded=True)
    earlier_inside = _part(earlier_print, embedded=True)
    if query_inside.views or earlier_inside.views:
        if compare(query_inside, earlier_print) or compare(query_print, earlier_inside):
            return True  # the picture inside one is in the other
        if query_inside.views and earlier_inside.views:
            # The pictures inside differ: the same frame around two photos, unless the
            # whole pictures are one file re-encoded (where the regions found inside
            # moved: a poster taken for an app's screen).
            return _whole(query_print, earlier_print) <= SAME_FILE_DETAIL
    if query.text is None or earlier.text is None:
        # Nothing read to compare: only one file re-encoded is taken for the same screen.
        return _whole(query_print, earlier_print) <= SAME_FILE_DETAIL
    return text_agrees(query.text, earlier.text)
