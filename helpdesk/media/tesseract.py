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
