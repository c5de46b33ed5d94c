"""A receipt's printed rows from Tesseract's word boxes, not from its block/line ids.

Tesseract often reads a receipt's price column as a block of its own, and on a photo taken
slightly askew it joins a label with the amount of the next row (the amount sits half a
line lower at the right edge than its label at the left). So rows are rebuilt here:

- in the page's reading frame, whichever way the page lay when it was read;
- with the page's slant taken out first: the slope from one word to the next on a line
  Tesseract read, the median over the page, so a label and its amount at the far right are
  on one row even when the paper was photographed turned by a few degrees;
- a word joins a row when its middle is within half a letter height of the row's middle,
  measured against the row's first words, so rows do not grow into one another.

``amount_column`` tells which words stand in the page's right-most column of figures, the
column the totals are printed in.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# A page photographed turned by more than this (about 8 degrees) is not "askew"; its lines
# are found by the reader's own rotation, and a larger slope here would mostly be noise.
MAX_SLANT = 0.14
# Pairs of words closer than this many letter heights say little about the slant.
SLANT_MIN_RUN = 2.0
# A word joins a row when its middle is this many letter heights from the row's middle.
ROW_TOLERANCE = 0.5
# A page's figures stand "half a row below their labels" when at least this many of them
# sit between two label rows, this far (in rows) below the label above, all alike.
SHIFT_MIN_FIGURES = 3
SHIFT_RANGE = (0.3, 0.75)
# An amount, or a currency printed in the amounts' column ("RM", "€").
FIGURE = re.compile(
    r"[-(]?(?:RM|€|\$|£|EUR|USD|GBP|R\$)?-?\d{1,3}(?:[.,]\d{3})*[.,]\d{2}\)?€?"
    r"|RM|EUR|USD|GBP|€|\$|£",
    re.IGNORECASE,
)


@dataclass
class Row:
    """Words on one printed row, left to right."""

    text: str
    top: float
    bottom: float
    words: list[Any]  # Placed


@dataclass
class Placed:
    text: str
    box: tuple[float, float, float, float]  # in the page's reading frame, slant taken out
    word: Any  # the OCR word, with its box in the picture's own coordinates


def upright(words: Sequence[Any]) -> list[Placed]:
    """Word boxes in the page's reading frame, whichever way the page lay when it was read
    (turned by us, or a sideways block Tesseract turned by itself): the direction from one
    word to the next on a line is "right". Only order and overlap matter here, so offsets
    are left out (coordinates may be negative)."""
    steps = [
        (b.box[0] - a.box[0], b.box[1] - a.box[1])
        for a, b in itertools.pairwise(words)
        if a.line == b.line
    ]
    across = sum(1 for dx, dy in steps if abs(dx) >= abs(dy) and dx > 0)
    leftward = sum(1 for dx, dy in steps if abs(dx) >= abs(dy) and dx < 0)
    down = sum(1 for dx, dy in steps if abs(dy) > abs(dx) and dy > 0)
    up = sum(1 for dx, dy in steps if abs(dy) > abs(dx) and dy < 0)
    direction = max(
        ((1, 0), across), ((-1, 0), leftward), ((0, 1), down), ((0, -1), up), key=lambda d: d[1]
    )[0]
    placed = []
    for word in words:
        x, y, w, h = word.box
        if direction == (1, 0):
            box = (x, y, w, h)
        elif direction == (-1, 0):
            box = (-(x + w), -(y + h), w, h)
        elif direction == (0, 1):  # reading downwards: the page lies turned clockwise
            box = (y, -(x + w), h, w)
        else:
            box = (-(y + h), x, h, w)
        placed.append(Placed(word.text, box, word))
    return placed


def slant(placed: Sequence[Placed]) -> float:
    """How far a row drops per pixel to the right (0 for a straight page): the median slope
    between neighbouring words of a line, over the page. Only words, not figures: a label
    and the amount Tesseract put on its line are what is in question (it joins a label with
    the next row's amount when the amounts stand half a row low), the letters of a line
    are not."""
    slopes = []
    for a, b in itertools.pairwise(placed):
        if a.word.line != b.word.line or FIGURE.fullmatch(a.text) or FIGURE.fullmatch(b.text):
            continue
        height = max(1.0, min(a.box[3], b.box[3]))
        run = (b.box[0] + b.box[2] / 2) - (a.box[0] + a.box[2] / 2)
        if run < SLANT_MIN_RUN * height or abs(a.box[3] - b.box[3]) > 0.5 * height:
            continue
        slopes.append(((b.box[1] + b.box[3] / 2) - (a.box[1] + a.box[3] / 2)) / run)
    if len(slopes) < 3:
        return 0.0
    value = statistics.median(slopes)
    return value if abs(value) <= MAX_SLANT else 0.0


def rows(words: Sequence[Any]) -> list[Row]:
    """The printed rows of OCR words, top to bottom (see the module doc)."""
    placed = upright(words)
    if not placed:
        return []
    tilt = slant(placed)
    straight = [
        Placed(p.text, (p.box[0], p.box[1] - tilt * (p.box[0] + p.box[2] / 2), *p.box[2:]), p.word)
        for p in placed
    ]
    letters = [p for p in straight if any(c.isalnum() for c in p.text)]
    marks = [p for p in straight if not any(c.isalnum() for c in p.text)]
    letter = statistics.median(p.box[3] for p in letters) if letters else 1.0
    grouped = _shifted_column(letters, letter) or _group(letters, letter)
    for mark in marks:
        # A lone "." or ":" box sits on the baseline, not the middle: it belongs to the
        # row whose letters it overlaps ("105 . 00").
        overlaps = [_overlap(mark, group) for group in grouped]
        if overlaps and max(overlaps) > 0:
            grouped[overlaps.index(max(overlaps))].append(mark)
        else:
            grouped.append([mark])
    grouped.sort(key=lambda group: min(w.box[1] + w.box[3] / 2 for w in group))
    out = []
    for group in grouped:
        group.sort(key=lambda w: w.box[0])
        out.append(
            Row(
                " ".join(w.text for w in group),
                min(w.box[1] for w in group),
                max(w.box[1] + w.box[3] for w in group),
                group,
            )
        )
    return out


def _group(words: Sequence[Placed], letter: float) -> list[list[Placed]]:
    grouped: list[list[Placed]] = []
    middles: list[float] = []
    for word in sorted(words, key=_middle):
        middle = _middle(word)
        tolerance = ROW_TOLERANCE * max(letter, min(word.box[3], 2 * letter))
        if grouped and abs(middle - middles[-1]) <= tolerance:
            grouped[-1].append(word)
            # Against the row's middle, not its growing outline, so that a row cannot
            # creep down into the next one word by word.
            middles[-1] = statistics.median(_middle(w) for w in grouped[-1])
            continue
        grouped.append([word])
        middles.append(middle)
    return grouped


def _shifted_column(words: Sequence[Placed], letter: float) -> list[list[Placed]] | None:
    """Rows of a page whose figures all stand about half a row below their labels (the
    paper bent or pulled through the printer unevenly; Tesseract then joins each label with
    the amount of the row above or below it), with each figure put back beside the label
    above it; None when the page's figures are level with their labels."""
    figures = [p for p in words if FIGURE.fullmatch(p.text)]
    labels = _group([p for p in words if not FIGURE.fullmatch(p.text)], letter)
    if len(figures) < SHIFT_MIN_FIGURES or len(labels) < 3:
        return None
    middles = [statistics.median(_middle(w) for w in row) for row in labels]
    pitch = statistics.median(b - a for a, b in itertools.pairwise(middles))
    if pitch <= 0:
        return None
    offsets: list[tuple[Placed, int, float]] = []
    for figure in figures:
        above = [i for i, m in enumerate(middles) if m <= _middle(figure)]
        if above:
            offsets.append((figure, above[-1], (_middle(figure) - middles[above[-1]]) / pitch))
    between = [o for _, _, o in offsets if o < 1.0]
    if len(between) < SHIFT_MIN_FIGURES:
        return None
    shift = statistics.median(between)
    agreeing = sum(1 for o in between if abs(o - shift) <= 0.2)
    if not SHIFT_RANGE[0] <= shift <= SHIFT_RANGE[1] or agreeing < 0.75 * len(between):
        return None
    placed = {id(f) for f, _, o in offsets if o < 1.0}
    for figure, row, offset in offsets:
        if offset < 1.0:
            labels[row].append(figure)
    labels.extend([f] for f in figures if id(f) not in placed)
    return labels


def _middle(word: Placed) -> float:
    return word.box[1] + word.box[3] / 2


def _overlap(mark: Placed, group: list[Placed]) -> float:
    top = min(w.box[1] for w in group)
    bottom = max(w.box[1] + w.box[3] for w in group)
    return min(bottom, mark.box[1] + mark.box[3]) - max(top, mark.box[1])


def rows_from_text(text: str) -> list[Row]:
    """Rows of a text without word boxes (a PDF's text layer, tests): one per line."""
    return [Row(line, float(i), float(i) + 1, []) for i, line in enumerate(text.splitlines())]


def right_edge(row: Row, raw: str) -> float | None:
    """The right edge of the word(s) an amount was read from on ``row``, if boxes are known."""
    tail = raw.split()[-1] if raw.split() else raw
    for word in reversed(row.words):
        if tail and tail in word.text:
            return word.box[0] + word.box[2]
    return None


def amount_column(edges: Sequence[float], letter: float) -> float | None:
    """The right edge of the page's right-most column of figures: the right-most edge that
    at least two amounts share (within a letter's width), so one stray figure in the margin
    does not define it."""
    ordered = sorted(edges, reverse=True)
    for index, edge in enumerate(ordered):
        if sum(1 for other in ordered[index + 1 :] if edge - other <= 1.5 * letter) >= 1:
            return edge
    return None
