"""Two columns of prose that Tesseract read as one, put back as two.

Tesseract's layout analysis finds a page's columns, but not at every scale: the linn page
(ocrmypdf's two-column test scan, 2550x3300) reads column by column at its own size and at
1800-3000 px tall except at 2400, the size helpdesk reads pages from (limits.OCR_LONG_SIDE),
where each line of the left column runs on into the right one's ("Recording a Sequence
simply use LOCATE, FAST FORWARD...") and the page scores 0.742 against its text instead
of 0.97. Such lines have the same wide gap, the gutter, at the same place: where at least
MIN_RUN lines in a row (whatever blocks Tesseract cut them into) have words on both sides
of a common gap, those lines are read as their left column, then their right.

Rows of a table or a receipt ("Subtotal ... 15.00", "Card **** 1234") also have a gap at
one place; they keep their rows, as they must be read: a side holds prose only where its
lines have MIN_WORDS words and MIN_SIDE_WIDTH on average, which a column of amounts or a
form's values do not.
"""

from __future__ import annotations

import itertools
import statistics

from helpdesk.media.tesseract import Word

GUTTER = 1.5  # a gap between words at least this many word heights wide may be a gutter
MIN_RUN = 3  # lines in a row with words both sides of the gutter
MIN_WORDS = 4.0  # words per line on each side, on average over the run: prose, not a table
# ...and each side's lines this many word heights wide on average (about 25 letters; the
# linn page's columns are 32): a form's "Transaction reference number  TXN 8A23 F90B" is
# a label and its value, which must stay on one line for the fields to be read.
MIN_SIDE_WIDTH = 12.0
# A line on one side only after the last line with both is the longer column's end, or a
# heading under both columns ("Additional Features" on the linn page): a heading stands
# further below the line before it than the columns' line pitch.
SECTION_GAP = 1.6


def _mark(word: Word, height: float) -> bool:
    """A dash, dot or bar narrower than a letter is high: specks in the gutter read as
    punctuation ("defeated). — first verse") do not close it."""
    return word.box[2] <= height and not any(c.isalnum() for c in word.text)


def _gaps(line: list[Word], height: float) -> list[tuple[int, int]]:
    """The line's gaps wide enough to be a gutter, as (left, right) in pixels."""
    ordered = sorted((w for w in line if not _mark(w, height)), key=lambda w: w.box[0])
    found = []
    for before, after in itertools.pairwise(ordered):
        left, right = before.box[0] + before.box[2], after.box[0]
        if right - left >= GUTTER * height:
            found.append((left, right))
    return found


def _lines(words: list[Word]) -> list[list[Word]]:
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return list(lines.values())


def _run_at(
    lines: list[list[Word]], start: int, gutter: tuple[int, int], height: float
) -> tuple[int, float]:
    """How many lines from ``start`` on keep a gutter, and its middle: each has a gap
    overlapping what is left of ``gutter`` (which narrows to the overlap, never under a
    word height) or words on one side of it only."""
    left, right = gutter
    end = start + 1
    while end < len(lines):
        line = lines[end]
        solid = [w for w in line if not _mark(w, height)]
        if any(w.box[0] < right and w.box[0] + w.box[2] > left for w in solid):
            overlaps = [
                (max(left, a), min(right, b))
                for a, b in _gaps(line, height)
                if min(right, b) - max(left, a) >= height
            ]
            if not overlaps:
                break
            left, right = max(overlaps, key=lambda g: g[1] - g[0])
        end += 1
    return end - start, (left + right) / 2


def _prose_both_sides(run: list[list[Word]], middle: float, height: float) -> bool:
    both = [sides for sides in (_sides(line, middle) for line in run) if all(sides)]
    if len(both) < MIN_RUN:
        return False
    for side in (0, 1):
        parts = [sides[side] for sides in both]
        words = statistics.mean(len(part) for part in parts)
        width = statistics.mean(_extent(part) for part in parts) / height
        if words < MIN_WORDS or width < MIN_SIDE_WIDTH:
            return False
    return True


def _trimmed(run: list[list[Word]], middle: float) -> int:
    """How many of the run's lines are its columns: the one-sided lines after its last
    line with both sides end at the first that stands a section's gap below the line
    before it (SECTION_GAP times the line pitch of the lines with both sides)."""
    both = [index for index, line in enumerate(run) if all(_sides(line, middle))]
    last = both[-1]
    tops = [min(w.box[1] for w in line) for line in run]
    steps = [tops[b] - tops[a] for a, b in itertools.pairwise(both) if b == a + 1]
    if not steps:
        return last + 1
    pitch = statistics.median(steps)
    end = last + 1
    while end < len(run) and tops[end] - tops[end - 1] <= SECTION_GAP * pitch:
        end += 1
    return end


def _extent(words: list[Word]) -> int:
    return max(w.box[0] + w.box[2] for w in words) - min(w.box[0] for w in words)


def _sides(line: list[Word], middle: float) -> tuple[list[Word], list[Word]]:
    left = [w for w in line if w.box[0] + w.box[2] / 2 < middle]
    return left, [w for w in line if w.box[0] + w.box[2] / 2 >= middle]


def split_columns(words: list[Word]) -> list[Word]:
    """``words`` (one Tesseract read, in its order) with any two columns read as one put
    back in reading order: the left column's lines, then the right's (each right half gets
    a line of its own). Everything else is returned as it was."""
    if not words:
        return words
    height = statistics.median(w.box[3] for w in words)
    lines = _lines(words)
    out: list[Word] = []
    index = 0
    next_line = max(w.line for w in words) + 1
    while index < len(lines):
        line = lines[index]
        split = None
        for gutter in _gaps(line, height):
            length, middle = _run_at(lines, index, gutter, height)
            run = lines[index : index + length]
            if length >= MIN_RUN and _prose_both_sides(run, middle, height):
                split = (length, middle)
                break
        if split is None:
            out.extend(line)
            index += 1
            continue
        length, middle = split
        length = _trimmed(lines[index : index + length], middle)
        run = lines[index : index + length]
        rights = []
        for part in run:
            left, right = _sides(part, middle)
            out.extend(left)
            if right:
                for word in right:
                    word.line = next_line
                rights.append(right)
                next_line += 1
        for right in rights:
            out.extend(right)
        index += length
    return out
