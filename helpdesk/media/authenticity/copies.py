"""An edited copy: a picture that matches an earlier one but whose read fields differ.

The classic payment-dispute fraud is the same payment screenshot (or receipt) sent again
with its amount, date, transaction id or payee changed. Its picture matches the earlier one
(the fingerprint barely moves for a few digits), so it used to be reported as plain reuse
— or, between two app screens whose figures had to agree (``content.text_agrees``), as no
reuse at all when two figures were changed.

Two pictures that match are an edited copy when:

- a field read from both (the total or amount, the date, the transaction id) has
  different values, another agrees (``field_differences``: two payments to one payee
  differ in all of them), and what the two say apart from those fields agrees (words
  and figures, ``content.text_agrees`` on the rest): one screen with its amount changed,
  not another payment on the same app's screen (that one differs in its payee's name);
- or every figure agrees (same amount, date and reference) but a line of words differs:
  the payee's name changed on one payment.

Camera photos (a receipt on a table) match on their picture alone; a field read from both
with different values is an edited copy there too. A copy that only went through WhatsApp
again is read again by OCR, which can misread a digit: the evaluation prints how often a
plain copy was taken for an edited one (tests/helpdesk/media/authenticity/test_copies.py).

Each difference carries both values and, where the field was read with a box, where it
is on each picture (fractions), so the console can mark it on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any

from helpdesk.media.authenticity.content import Content, figures, text_agrees, tokens

# Which read field types stand for what an agent calls the amount, the date, the id; the
# first type present on both sides is compared.
KINDS: dict[str, tuple[str, ...]] = {
    "amount": ("total", "amount"),
    "date": ("date",),
    "transaction_id": ("transaction_id",),
}
LABELS = {
    "amount": "the amount",
    "date": "the date",
    "transaction_id": "the transaction id",
    "payee": "the payee",
}
# A payee edit: every figure equal, at least this many of them (amount, date, id, clock),
# and the words still mostly shared (the app's frame).
SAME_FIGURES_MIN = 3
PAYEE_WORDS_MIN = 0.4
# Two fields' boxes (fractions) overlapping this much (intersection over union) are one
# printed field: a resized or re-encoded copy moves a word's box by a pixel or two.
SAME_PLACE = 0.5
# The changed lines of the two texts this alike or more are one line misread, not renamed.
PAYEE_SIMILAR = 0.5
# A payee's name takes one line, two when it wraps; more changed lines: another screen.
PAYEE_LINES = 2


@dataclass(frozen=True)
class Difference:
    kind: str  # amount, date, transaction_id, payee
    here: str
    there: str
    here_region: tuple[float, float, float, float] | None = None
    there_region: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.kind,
            "here": self.here,
            "there": self.there,
            "here_region": list(self.here_region) if self.here_region else None,
            "there_region": list(self.there_region) if self.there_region else None,
        }


def _value(kind: str, item: dict[str, Any]) -> str:
    if kind == "amount":
        raw = str(item.get("amount", str(item.get("value", "")).split(" ")[0]))
        try:
            return str(Decimal(raw.replace(",", ".")).normalize())
        except (InvalidOperation, ValueError):
            return raw
    return str(item.get("value")).strip().upper()


def _shown(item: dict[str, Any]) -> str:
    return str(item.get("raw") or item.get("value"))[:60]


def _region(item: dict[str, Any], size: tuple[int, int] | None) -> tuple[float, ...] | None:
    where = item.get("where") if isinstance(item.get("where"), dict) else {}
    box = where.get("box")
    if not box or not size or len(box) != 4 or not all(size):
        return None
    x, y, w, h = (float(v) for v in box)
    width, height = size
    return (
        round(max(0.0, x / width), 4),
        round(max(0.0, y / height), 4),
        round(min(1.0, (x + w) / width), 4),
        round(min(1.0, (y + h) / height), 4),
    )


def _overlap(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """Intersection over union of two boxes (fractions)."""
    across = max(0.0, min(first[2], second[2]) - max(first[0], second[0]))
    down = max(0.0, min(first[3], second[3]) - max(first[1], second[1]))
    union = (
        (first[2] - first[0]) * (first[3] - first[1])
        + (second[2] - second[0]) * (second[3] - second[1])
        - across * down
    )
    return across * down / union if union > 0 else 0.0


def _placed(content: Content, types: tuple[str, ...]) -> list[tuple[dict[str, Any], tuple]]:
    found = []
    for item in content.fields:
        if item.get("type") in types and str(item.get("value") or "").strip():
            region = _region(item, content.size)
            if region is not None:
                found.append((item, region))
    return found


def compare_fields(query: Content, earlier: Content) -> tuple[list[Difference], set[str]]:
    """The fields read at the same place of both pictures whose values differ, and the
    kinds that agree.

    Paired by place, not by type alone: OCR of a re-encoded receipt photo may take another
    row for the total (the cash line instead of the total's), which is no edit; the same
    printed field reading another value is."""
    found, agreeing = [], set()
    for kind, types in KINDS.items():
        for field_type in types:
            # Same type, same place: a total's box is its whole row, an amount's its word,
            # and a row holds several amounts (the quantity, the price, the total).
            theirs = _placed(earlier, (field_type,))
            for here, region in _placed(query, (field_type,)):
                best = max(theirs, key=lambda t: _overlap(region, t[1]), default=None)
                if best is None or _overlap(region, best[1]) < SAME_PLACE:
                    continue
                if _value(kind, here) == _value(kind, best[0]):
                    agreeing.add(kind)
                    continue
                found.append(Difference(kind, _shown(here), _shown(best[0]), region, best[1]))
                break
            if any(d.kind == kind for d in found):
                break  # one per kind: the agent compares the two pictures anyway
    agreeing -= {d.kind for d in found}
    return found, agreeing


def field_differences(query: Content, earlier: Content) -> list[Difference]:
    """The differing fields when they make one payment edited rather than two payments.

    Two honest payments to one payee (two customers paying this shop from the same bank
    app, a monthly bill) share the screen's every word; what tells them apart is that
    they differ in *every* figure that names a payment: the amount, the date and the
    reference. An edit changes one or two and leaves the others: so at least one field
    read on both must agree, and a changed transaction id must be the only change (a
    payment is its id: another id with another amount is another payment)."""
    found, agreeing = compare_fields(query, earlier)
    if not found or not agreeing:
        return []
    if len(found) > 1 and any(d.kind == "transaction_id" for d in found):
        return []
    return found


def _without(text: str, items: list[str]) -> str:
    """``text`` with the tokens of ``items`` taken out (the differing fields' values)."""
    drop = set().union(*(tokens(i) for i in items)) if items else set()
    return " ".join(t for t in sorted(tokens(text)) if t not in drop)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _changed_lines(first: str, second: str) -> tuple[list[str], list[str]]:
    """The lines of each text that the other does not hold."""
    a, b = _lines(first), _lines(second)
    return [line for line in a if line not in b], [line for line in b if line not in a]


def _lines_without(text: str, dropped: list[str]) -> str:
    return "\n".join(line for line in _lines(text) if line not in dropped)


def edited_screen(query: Content, earlier: Content) -> list[Difference] | None:
    """Between two app screens whose fingerprints match: the differences when one is the
    other edited, None when they are not an edited copy (the same screen, or another
    payment on the same app's screen)."""
    if query.text is None or earlier.text is None:
        return None
    differences = field_differences(query, earlier)
    if differences:
        values = [d.here for d in differences] + [d.there for d in differences]
        if text_agrees(_without(query.text, values), _without(earlier.text, values)):
            return differences
        return None
    if tokens(query.text) == tokens(earlier.text):
        return None  # the same screen
    here, there = _changed_lines(query.text, earlier.text)
    if not here or not there or len(here) > PAYEE_LINES or len(there) > PAYEE_LINES:
        return None  # a line OCR missed on one side, or several fields changed
    # The rest of the two screens: every figure the same (the amount, the date, the id),
    # the frame's words shared. A payee's name may hold digits ("ZEN AND COFFEE 28"), so
    # the changed lines are left out of the figures.
    rest_a = tokens(_lines_without(query.text, here))
    rest_b = tokens(_lines_without(earlier.text, there))
    if figures(rest_a) != figures(rest_b) or len(figures(rest_a)) < SAME_FIGURES_MIN:
        return None
    words_a, words_b = rest_a - figures(rest_a), rest_b - figures(rest_b)
    shared = len(words_a & words_b) / max(1, len(words_a | words_b))
    # A misread word changes a letter or two of a line; a payee changed replaces it.
    said_here, said_there = " / ".join(here)[:80], " / ".join(there)[:80]
    if shared >= PAYEE_WORDS_MIN and SequenceMatcher(None, said_here, said_there).ratio() < (
        PAYEE_SIMILAR
    ):
        return [Difference("payee", said_here, said_there)]
    return None


def edited_photo(query: Content, earlier: Content) -> list[Difference] | None:
    """Between two pictures matched by their picture alone (a camera photo on either
    side): the read fields that differ, None when none does."""
    return field_differences(query, earlier) or None


def describe(differences: list[Difference]) -> str:
    """ "the amount reads 120.00 here and 12.00 there; the date reads …" """
    parts = []
    for item in differences:
        if item.kind == "payee":
            parts.append(f'the text reads "{item.here}" here and "{item.there}" there')
        else:
            parts.append(f"{LABELS[item.kind]} reads {item.here} here and {item.there} there")
    return "; ".join(parts)
