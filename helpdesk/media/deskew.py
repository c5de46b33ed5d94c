"""A page fed into the scanner (or photographed) a little askew, read level.

Tesseract's layout analysis takes a page's lines as level: on a page skewed by 2-3 degrees
the ends of a long line fall into the next line's band and a paragraph's last words are
read after the following paragraph (ocrmypdf's own ``rotated_skew.pdf`` test page, the
linn page at -2.6 degrees: 0.854 similarity to its text against 0.974 for the same page
scanned level). ocrmypdf deskews for this reason (``--deskew``). Here the slope comes free
with the lines' direction (orientation.Lines.skew); the page is turned by it before
Tesseract reads it and each word's box is turned back onto the page as it came, so the
boxes the agent is shown and the fields' positions are where the words are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpdesk.media.tesseract import Word

# Level print measures 0.1-0.2 degrees (the letters' own shapes, orientation.Lines.skew);
# below this Tesseract reads as well as it would level, and the warp only costs time.
MIN_SKEW = 0.5
# The slope is measured between letters at most 26 degrees apart (orientation's "across":
# dx > 2 dy), so beyond this it is not a measure: a page that steep is left as it is.
MAX_SKEW = 15.0


@dataclass(frozen=True)
class Level:
    """How a page was turned to be read level: the 2x3 affine map from the page to the
    level page, and the page's shape."""

    matrix: np.ndarray
    shape: tuple[int, int]


def worth_straightening(skew: float) -> bool:
    return MIN_SKEW <= abs(skew) <= MAX_SKEW


def straighten(page: np.ndarray, skew: float) -> tuple[np.ndarray, Level]:
    """``page`` turned by ``skew`` degrees so its lines run level, on a canvas large enough
    to hold all of it (the corners filled with the page's paper)."""
    import cv2

    height, width = page.shape[:2]
    # cv2 turns counter-clockwise as seen for a positive angle; lines sloping down to the
    # right (a positive skew) come level turned that way
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_width, new_height = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_width / 2 - width / 2
    matrix[1, 2] += new_height / 2 - height / 2
    paper = int(np.median(page))
    level = cv2.warpAffine(
        page,
        matrix,
        (new_width, new_height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=paper,
    )
    return level, Level(matrix, (height, width))


def boxes_back(words: list[Word], level: Level) -> list[Word]:
    """The words read on the level page with their boxes on the page as it came: each box's
    middle turned back, its width and height kept (the word's own size: the box around its
    turned corners would be taller by its width's share of the slope, and the letters'
    height is what the reader scales the page by), clipped to the page."""
    import cv2

    inverse = cv2.invertAffineTransform(level.matrix)
    height, width = level.shape
    for word in words:
        x, y, w, h = word.box
        middle_x, middle_y = inverse @ np.array([x + w / 2, y + h / 2, 1.0])
        x0 = int(np.clip(round(middle_x - w / 2), 0, max(0, width - 1)))
        y0 = int(np.clip(round(middle_y - h / 2), 0, max(0, height - 1)))
        word.box = (x0, y0, max(1, min(w, width - x0)), max(1, min(h, height - y0)))
    return words
