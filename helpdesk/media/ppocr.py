"""Camera pictures read by PaddleOCR's PP-OCRv6 models (onnxruntime), as an ``OcrResult``
like Tesseract's route gives (helpdesk/media/ocr.py), so the confidence gate, the language
guess and the fields work on it unchanged.

Measured on the real dev set (tests/helpdesk/media/test_real_media.py, reading order,
0/90/180/270 degrees): calibration .971/.975/.971/.965, held-out .967-.968 with the
printed book page read by Tesseract (``ocr.engine_for`` sends it there by its letter
count: PP-OCR .738, Tesseract .961); receipt totals and dates 100 % on both halves;
Spanish accents, ¿ and € read right. A receipt costs about Tesseract's CPU (bench_media:
0.81 s median, 1.00x Tesseract's CPU in the same run).

- Which way up: lines running down (helpdesk/media/orientation.py) turn the page 90
  degrees before detection (where the letters are too few or too large for their layout
  to show the lines, the detector's line boxes running down do); the line classifier's
  vote over the detected lines then says whether it is upside down, and an upside-down
  page is turned and detected again.
- Words: the recogniser's own spaces split a line into words (putting spaces back where
  the ink has gaps, tuned for PP-OCRv4, makes v6 read worse); each word's box spans its
  characters' columns, mapped along the slant of its line's box.
- Lines: a line box joins the row of the first box whose height spans its middle, rows
  read top to bottom and left to right; heights are taken along the slope of the long
  lines nearby, so a receipt photographed askew keeps each price on its own line (the
  reading order real_media.reading_order_truth rebuilds the SROIE truth in, by its own
  means: the truth's boxes are upright rectangles with no slope of their own).
- A zero between letters in a word with no other digit is read as the letter O ("ERR0R"
  on a monospaced label, whose "0R" then looked like an error code): PP-OCR's confusion,
  which Tesseract's dictionary avoids.
- Characters of Chinese, Japanese and Korean scripts are dropped: the customers write
  English and Spanish, and on Latin print they are misreadings.
"""

from __future__ import annotations

import re
from types import EllipsisType

import numpy as np

from helpdesk.media import dateline, orientation
from helpdesk.media.ocr_text import OcrResult, assemble
from helpdesk.media.page_rotation import to_source
from helpdesk.media.ppocr_detect import TALL_CROP, crop, detect
from helpdesk.media.ppocr_recognise import COLUMN, HEIGHT, Reading, recognise, upside_down_votes
from helpdesk.media.tesseract import Word, rotate

SOURCE = "ppocr"
MIN_LINE_SCORE = 0.5  # a line read with less (mean character probability) is dropped
# Lines the upside-down vote reads: the vote of the 12 longest gave every calibration page
# the same turn as all its lines at a quarter of the classifier's CPU (bench/ppocr_eval.py
# route cls12).
VOTING_LINES = 12
LONG_LINE = 4  # length per height of the line boxes the lines' slope is measured on
NEAR_LINES = 3  # long boxes the slope at a height is taken from
REREAD_DATES = True  # Tesseract's closer read of date lines (helpdesk/media/dateline.py)
_CJK = ("\u2e80", "\uffef")
_LETTERS_AND_ZEROS = re.compile(r"[^\W\d_]+(?:0+[^\W\d_]+)+")


def read_text(
    grey: np.ndarray, *, lines: orientation.Lines | EllipsisType | None = ...
) -> OcrResult:
    """OCR a grey camera picture; word boxes in ``grey``'s pixels. ``lines``: what
    orientation.find_lines says of ``grey`` when the caller has looked already."""
    if grey.size == 0 or min(grey.shape) < 2:
        return _result([], 0)
    if lines is ...:
        lines = orientation.find_lines(grey)
    rotation = 90 if lines is not None and lines.vertical else 0
    page = rotate(grey, rotation) if rotation else grey
    boxes = detect(page)
    if lines is None and _running_down(boxes):
        # too few letters, or letters too large, for their layout to show the lines'
        # direction: the detector's line boxes show it
        rotation = 90
        page = rotate(grey, rotation)
        boxes = detect(page)
    if not boxes:
        return _result([], rotation)
    crops = [crop(page, box) for box in boxes]
    upright, flipped = upside_down_votes(_widest(crops))
    if flipped > upright:  # upside down: turned over and its lines found again
        rotation = (rotation + 180) % 360
        page = rotate(grey, rotation)
        boxes = detect(page)
        crops = [crop(page, box) for box in boxes]
    words = _words(boxes, crops, recognise(crops))
    if REREAD_DATES:
        words = dateline.reread_date_lines(page, words, 60.0)
    # boxes back on the unturned picture
    shape = page.shape if rotation in (0, 180) else (page.shape[1], page.shape[0])
    for word in words:
        word.box = to_source(word.box, rotation, shape, 1.0)
    return _result(words, rotation)


def _running_down(boxes: list[np.ndarray]) -> bool:
    """Most of the detected lines' length is in boxes taller than wide (TALL_CROP)."""
    down = across = 0.0
    for box in boxes:
        width, height = np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[3] - box[0])
        if height >= TALL_CROP * width:
            down += height
        elif width >= TALL_CROP * height:
            across += width
    return down > across


def _widest(crops: list[np.ndarray]) -> list[np.ndarray]:
    """The VOTING_LINES longest lines for their height: long lines tell the classifier which
    way up best, and a receipt's many short prices and item codes only cost it time."""
    return sorted(crops, key=lambda c: -c.shape[1] / max(1, c.shape[0]))[:VOTING_LINES]


def _result(words: list[Word], rotation: int) -> OcrResult:
    result = assemble(words, rotation)
    result.source = SOURCE
    return result


def _latin(text: str) -> str:
    return "".join(" " if _CJK[0] <= c <= _CJK[1] else c for c in text)


def _words(boxes: list[np.ndarray], crops: list[np.ndarray], readings: list[Reading]) -> list:
    slopes = _slopes(boxes)
    items = []
    for box, line, reading in zip(boxes, crops, readings, strict=True):
        reading.text = _latin(reading.text)
        if reading.score < MIN_LINE_SCORE or not reading.text.strip():
            continue
        # heights measured along the lines' slope there: on a receipt photographed askew
        # the price at the end of a line sits as low as the next line's label
        level = box[:, 1] - _slope_at(slopes, float(box[:, 1].mean())) * box[:, 0]
        items.append((float(level.min()), float(level.max()), box, line, reading))
    rows: list[list] = []
    for item in sorted(items, key=lambda i: (i[0] + i[1]) / 2):
        middle = (item[0] + item[1]) / 2
        row = next((r for r in rows if r[0][0] <= middle <= r[0][1]), None)
        (rows.append([item]) if row is None else row.append(item))
    words: list[Word] = []
    for number, row in enumerate(rows):
        for _, _, box, line, reading in sorted(row, key=lambda i: float(i[2][:, 0].min())):
            # a line running down was read turned (ppocr_detect.crop): its words get the box
            across = np.linalg.norm(box[1] - box[0]) * TALL_CROP > np.linalg.norm(box[3] - box[0])
            for text, start, end in _spans(reading, line):
                if across:
                    place = _place(box, start / line.shape[1], end / line.shape[1])
                else:
                    place = _place(box, 0.0, 1.0)
                words.append(Word(text, 100 * reading.score, place, number))
    return words


def _slopes(boxes: list[np.ndarray]) -> np.ndarray:
    """Where the long line boxes are (their middle's height) and how far their lines fall per
    pixel across, as rows of an array sorted by height. Only boxes at least LONG_LINE times
    as long as high: a short box's corners say little of its slope."""
    found = []
    for top_left, top_right, _, bottom_left in boxes:
        across = top_right[0] - top_left[0]
        if across > LONG_LINE * np.linalg.norm(bottom_left - top_left):
            middle = (top_left[1] + bottom_left[1]) / 2
            found.append((middle, (top_right[1] - top_left[1]) / across))
    return np.array(sorted(found), dtype=np.float64).reshape(-1, 2)


def _slope_at(slopes: np.ndarray, height: float) -> float:
    """The slope of the lines at ``height``: the median of the NEAR_LINES long boxes closest
    to it. Local, because a receipt held in the hand curls and is seen in perspective: the
    dev set's sloping receipt falls 0.01 at its top and 0.03-0.04 at its foot."""
    if not len(slopes):
        return 0.0
    nearest = np.argsort(np.abs(slopes[:, 0] - height))[:NEAR_LINES]
    return float(np.median(slopes[nearest, 1]))


def _spans(reading: Reading, line: np.ndarray) -> list[tuple[str, float, float]]:
    """The line's words at the recogniser's own spaces: text, left and right in the crop's
    pixels (a column's width either side of the outer characters' columns)."""
    height, width = line.shape[:2]
    half = COLUMN * height / HEIGHT
    spans: list[tuple[str, float, float]] = []
    word: list[tuple[str, float]] = []
    for index, char in enumerate([*reading.text, " "]):
        if char != " ":
            word.append((char, reading.x(index, height)))
            continue
        if word:
            text = "".join(c for c, _ in word)
            if _LETTERS_AND_ZEROS.fullmatch(text):
                text = text.replace("0", "O" if text.isupper() else "o")
            spans.append((text, max(0.0, word[0][1] - half), min(width, word[-1][1] + half)))
            word = []
    return spans


def _place(box: np.ndarray, start: float, end: float) -> tuple[int, int, int, int]:
    """The part of a line's box from ``start`` to ``end`` (fractions of its length) as an
    upright box (x, y, w, h): taken along the line's top and bottom edges, so a word on a
    sloping line gets its own height on the page, not the whole line's."""
    top_left, top_right, bottom_right, bottom_left = box
    start, end = max(0.0, min(1.0, start)), max(0.0, min(1.0, end))
    corners = np.array(
        [
            top_left + (top_right - top_left) * start,
            top_left + (top_right - top_left) * end,
            bottom_left + (bottom_right - bottom_left) * start,
            bottom_left + (bottom_right - bottom_left) * end,
        ]
    )
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    return (round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)))
