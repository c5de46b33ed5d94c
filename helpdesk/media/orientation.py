"""Which way a page's text lines run, from the letters' layout alone (no OCR).

A page turned 90 or 270 degrees costs a full Tesseract read to find out that it reads as
garbage, and Tesseract's own orientation detection (OSD) is unsure on receipts and slow
on big pages. The direction of the lines is much cheaper to see: letters are connected
blobs of ink, and a letter's nearest neighbours sit beside it on its line (letters are
closer to each other than lines are), so the directions to nearest neighbours vote for
horizontal or vertical lines (the "docstrum" idea, O'Gorman 1993). This takes 5-40 ms on
a page; whether the page is upside down is then decided by a short OCR probe on a band
of lines (helpdesk/media/page_rotation.py), not by a full read.

On the dev set (tests/data/media-dev, calibration half) the vote is 0.56-0.94 on every
page and receipt at every quarter turn and under 0.40 on photos without text, so a page
is taken to have lines only above LINE_VOTE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CUE_LONG_SIDE = 1200  # pixels; letters stay separate blobs at this size on phone photos
# A page whose print is small for its size (a poster-sized PDF page rendered whole, a scan
# with wide margins) has letters of 3-4 px at CUE_LONG_SIDE, under the letter filter's 5:
# where no lines are seen there, a picture this much larger is looked at again at this size.
FINE_LONG_SIDE = 2400
LINE_VOTE = 0.5  # (horizontal - vertical) / all neighbour votes, in absolute value
MIN_LETTERS = 40  # ink blobs of letter size needed before lines are believed
PROBE_LINES = 7  # lines of text in the band the upside-down probe reads


@dataclass(frozen=True)
class Lines:
    """Text lines found on a page, in the page's own pixels."""

    vertical: bool  # lines run top to bottom: the page is turned 90 or 270 degrees
    vote: float  # 0..1, how clearly the neighbours agree
    letter_size: float  # median letter extent across the line, in pixels
    band: tuple[int, int]  # the densest band of PROBE_LINES lines, across the lines
    # letter-sized ink blobs, counted at CUE_LONG_SIDE whatever the picture's size: how
    # much text the page holds (a receipt 400-800, a printed book page 2700)
    letters: int = 0
    # degrees the lines slope by (clockwise as seen), measured as they run once the page is
    # turned to read (a quarter turn either way gives the same slope): the median slope
    # between neighbouring letters on a line. Level print measures 0.1-0.2 (letters'
    # shapes), a scan fed in askew 1.8-2.6 (helpdesk/media/deskew.py).
    skew: float = 0.0


def _ink(grey: np.ndarray) -> np.ndarray:
    """Dark strokes on a lighter ground as a binary mask (a black-hat keeps strokes thinner
    than its kernel and drops uneven light; Otsu then splits ink from paper)."""
    import cv2

    if float(np.median(grey)) < 110:  # light text on a dark screen
        grey = 255 - grey
    size = max(15, (max(grey.shape) // 40) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    hat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel)
    _, mask = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return mask


def find_lines(grey: np.ndarray) -> Lines | None:
    """The direction of the page's text lines, or None where there are no clear lines
    (photos, a few scattered words): orientation is decided only where text says it.
    Looked for at CUE_LONG_SIDE and, where none are seen there on a larger picture, at
    FINE_LONG_SIDE."""
    found = _lines_at(grey, CUE_LONG_SIDE)
    if found is None and max(grey.shape) > CUE_LONG_SIDE * 1.25:
        found = _lines_at(grey, FINE_LONG_SIDE)
    return found


def _lines_at(grey: np.ndarray, long_side: int) -> Lines | None:
    import cv2
    from scipy.spatial import cKDTree

    scale = min(1.0, long_side / max(grey.shape))
    small = grey
    if scale < 1.0:
        small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, _, stats, centres = cv2.connectedComponentsWithStats(_ink(small), connectivity=8)
    width, height, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    # Letter-sized blobs that are not solid rectangles (rules, boxes, photos' patches).
    letter = (
        (np.maximum(width, height) >= 5)
        & (width >= 2)
        & (height >= 2)
        & (np.maximum(width, height) <= 80)
        & (area >= 8)
        & (area <= 0.9 * width * height + 1)
    )
    points = centres[1:][letter]
    if len(points) < MIN_LETTERS:
        return None
    size = float(np.median(np.maximum(width[letter], height[letter])))
    distance, index = cKDTree(points).query(points, k=3)
    across = along = 0
    slopes_across, slopes_along = [], []
    for column in (1, 2):
        near = distance[:, column] < 3 * size
        step = points[index[near, column]] - points[near]
        dx, dy = np.abs(step[:, 0]), np.abs(step[:, 1])
        is_across, is_along = dx > 2 * dy, dy > 2 * dx
        across += int(np.sum(is_across))
        along += int(np.sum(is_along))
        # signed slopes, each step taken pointing right (across) or down (along)
        sign = np.where(step[:, 0] < 0, -1.0, 1.0)
        slopes_across.append((step[:, 1] * sign / np.maximum(dx, 1e-9))[is_across])
        sign = np.where(step[:, 1] < 0, -1.0, 1.0)
        slopes_along.append((step[:, 0] * sign / np.maximum(dy, 1e-9))[is_along])
    votes = across + along
    if not votes:
        return None
    vote = (across - along) / votes
    if abs(vote) < LINE_VOTE:
        return None
    vertical = vote < 0
    # a line running down with slope dx/dy reads, turned a quarter either way, at -dx/dy
    slopes = -np.concatenate(slopes_along) if vertical else np.concatenate(slopes_across)
    skew = float(np.degrees(np.arctan(np.median(slopes)))) if len(slopes) else 0.0
    axis = 0 if vertical else 1  # coordinate across the lines: x for vertical lines
    extent = (width if vertical else height)[letter]
    letter_size = float(np.median(extent)) / scale
    positions = np.sort(points[:, axis]) / scale
    band_length = PROBE_LINES * 2.0 * letter_size
    ends = np.searchsorted(positions, positions + band_length)
    start = float(positions[int(np.argmax(ends - np.arange(len(positions))))])
    first = max(0, int(start - letter_size))
    last = min(grey.shape[1 - axis], int(start + band_length + letter_size))
    return Lines(vertical, abs(vote), letter_size, (first, last), len(points), skew)
