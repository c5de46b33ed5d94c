"""Tesseract itself: one read of a grey page as words with boxes, and the page operations
the readers share (scaling, quarter turns, confidence sums). ``OMP_THREAD_LIMIT=1`` is
set for the child processes (see helpdesk/media/ocr.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from helpdesk.media import engine

LANGUAGES = "eng+spa"
GOOD_WORD_CONFIDENCE = 60
MAX_OCR_PIXELS = 12_000_000
# An upscale to Tesseract's letter size stops where the page reaches this many pixels
# (see letter_scale). The letter size alone cannot say when an upscale pays: on the
# calibration half it does for narrow thermal receipts (0.5-1 MP, word boxes 13-18 px:
# 006, 455, 500 read +0.05-0.10 closer to their truth at 1.4-2x), whose largest upscaled
# read is 2.4 MP. A whole page of small print is 1.7-2 MP at its own size, where 2x makes
# 4x the pixels and Tesseract's CPU time grows with them: the calibration book page
# (kraken) went to 5 MP, read twice (binarised too), about 5 s of CPU; capped, it reads once
# at 3 MP in about 2 s at the confidence of 1x and 2x. On the held-out half (measured, not
# tuned to) the printed linn page, 2 MP with 13-px word boxes, went to 8.6 MP (CPU 6.2-6.5 s
# per analysis, 5.4 s with the cap; one read 3.8 s at scale 1, 4.6 s at the cap, 5.9 s at
# 2.08x) and read worse than at its own size (0.951 against 0.968; 0.961 at the cap).
UPSCALE_MAX_PIXELS = 3_000_000


@dataclass
class Word:
    text: str
    confidence: float  # 0..100
    box: tuple[int, int, int, int]  # x, y, w, h in the OCR'd image
    line: int
    start: int = 0  # character offsets in OcrResult.text
    end: int = 0


def scale(grey: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    if abs(factor - 1.0) < 0.05:
        return grey
    height, width = grey.shape
    factor = min(factor, (MAX_OCR_PIXELS / (height * width)) ** 0.5)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, size, interpolation=method)


def letter_scale(page: np.ndarray, factor: float) -> float:
    """``factor`` (towards Tesseract's letter size), an upscale stopped at
    UPSCALE_MAX_PIXELS (never below the page's own size); reductions as they are."""
    if factor <= 1.0:
        return factor
    return max(1.0, min(factor, (UPSCALE_MAX_PIXELS / page.size) ** 0.5))


def run(grey: np.ndarray, psm: int, timeout: float) -> list[Word]:
    # The engine's OpenMP reads this when it loads; see the module doc.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    # In this process (helpdesk/media/engine.py): the models load once, not once per read.
    data = engine.image_to_data(grey, lang=LANGUAGES, psm=psm, timeout=timeout)
    words: list[Word] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        line = (data["block_num"][i] * 1000 + data["par_num"][i]) * 1000 + data["line_num"][i]
        box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        words.append(Word(text, conf, box, line))
    return words


def mean_confidence(words: list[Word]) -> float:
    weight = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / weight if weight else 0.0


def score(words: list[Word]) -> float:
    return sum(w.confidence * len(w.text) for w in words if w.confidence >= GOOD_WORD_CONFIDENCE)


def rotate(grey: np.ndarray, degrees: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(grey, k=-(degrees // 90)))  # clockwise
