"""Which way up a page is, for the OCR route (helpdesk/media/ocr.py).

- Lines across: the page is read as it lies and read turned over only when that does not
  read well (``reads_well``: most pages arrive upright).
- Lines down: a short read of a band of a few lines decides 90 from 270 degrees before
  the only full read (``probe_rotation``).
- No lines seen (a sign, a label in a photo): a page that does not read well is checked
  with Tesseract's orientation detection (OSD) and, where OSD is not confident, quick
  reads turned by 180/90/270 degrees (``best_rotation``).

``to_source`` takes a word box found on the turned page back to the picture as sent."""

from __future__ import annotations

import io
import os
import re

import numpy as np

from helpdesk.media import engine, orientation
from helpdesk.media.tesseract import (
    GOOD_WORD_CONFIDENCE,
    Word,
)
from helpdesk.media.tesseract import mean_confidence as _mean_confidence
from helpdesk.media.tesseract import rotate as _rotate
from helpdesk.media.tesseract import run as _run
from helpdesk.media.tesseract import scale as _scale
from helpdesk.media.tesseract import score as _score

ROTATION_PROBE_SIDE = 1200  # long side of the quick reads that find a page's rotation
# A page "reads well" as it is (no rotation search) with this many confident words of 3+
# characters and this length-weighted mean confidence. A page turned 90 or 180 degrees reads
# as fragments Tesseract is unsure of (mean confidence 30-55 on the dev receipts), an
# upright receipt or page at 70-90.
UPRIGHT_GOOD_WORDS = 8
UPRIGHT_MEAN_CONFIDENCE = 65.0
# Tesseract's OSD orientation confidence above which its answer is taken as it is: on the
# dev pages every answer above 2 was right, several below it were wrong.
OSD_CONFIDENT = 2.0
# The upside-down probe (see probe_rotation) reads a band of a few lines scaled so its
# letters are this tall, and stops at the first reading with this many confident words
# of 3+ characters at this length-weighted mean confidence.
PROBE_LETTER_SIZE = 28.0
PROBE_SURE_WORDS = 5
PROBE_SURE_CONFIDENCE = 75.0

_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ORIENTATION_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


def osd_rotation(grey: np.ndarray, timeout: float) -> tuple[int, float]:
    """Tesseract's orientation detection: (degrees clockwise to turn, confidence).

    The CLI is called directly with the picture on stdin: pytesseract's ``image_to_osd``
    leaves a zone file beside its temporary image, and Tesseract then answers "too few
    characters" for every page."""
    import subprocess

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, "PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = ["tesseract", "stdin", "stdout", "--psm", "0", "-l", "osd"]
    if engine.models_dir():  # the same models folder as every read (HELPDESK_TESSDATA_DIR)
        command += ["--tessdata-dir", engine.models_dir()]
    try:
        done = subprocess.run(
            command, input=buffer.getvalue(), capture_output=True, timeout=timeout, env=env
        )
    except (OSError, subprocess.SubprocessError):
        return 0, 0.0
    answer = done.stdout.decode("utf-8", "replace")
    rotate = _ROTATE.search(answer)
    confidence = _ORIENTATION_CONF.search(answer)
    if not rotate or not confidence:
        return 0, 0.0  # "too few characters": common with a few large lines
    return int(rotate.group(1)) % 360, float(confidence.group(1))


def reads_well(words: list[Word]) -> bool:
    """A reading a person would accept as text: enough confident words, most of it
    confident. Upside-down or sideways pages read as short, unsure fragments."""
    good = [w for w in words if w.confidence >= GOOD_WORD_CONFIDENCE and len(w.text) >= 3]
    return len(good) >= UPRIGHT_GOOD_WORDS and _mean_confidence(words) >= UPRIGHT_MEAN_CONFIDENCE


def best_rotation(page: np.ndarray, psm: int, timeout: float, words: list[Word]) -> int:
    """How far to turn a page that does not read well as it is. Tesseract's OSD where it
    is confident; otherwise each quarter turn is read at reduced size (cheap) and the most
    confident reading wins, when it is clearly better than the page as it is."""
    small = _scale(page, min(1.0, ROTATION_PROBE_SIDE / max(page.shape)))
    rotation, confidence = osd_rotation(small, timeout)
    if rotation and confidence >= OSD_CONFIDENT:
        return rotation
    if not rotation and confidence >= OSD_CONFIDENT:
        return 0
    factor = small.shape[1] / page.shape[1]
    scores = {0: _score(_run(small, psm, timeout)) if factor < 0.95 else _score(words)}
    for degrees in (180, 90, 270):
        scores[degrees] = _score(_run(_rotate(small, degrees), psm, timeout))
    best = max(scores, key=lambda d: scores[d])
    return best if scores[best] >= 1.5 * scores[0] and scores[best] >= 200 else 0


def _probe_is_sure(words: list[Word]) -> bool:
    """A band read the right way up: several confident words, most of it confident.
    Upside down, Tesseract reads the same band as short fragments at 20-50."""
    good = [w for w in words if w.confidence >= GOOD_WORD_CONFIDENCE and len(w.text) >= 3]
    return len(good) >= PROBE_SURE_WORDS and _mean_confidence(words) >= PROBE_SURE_CONFIDENCE


def probe_rotation(page: np.ndarray, lines: orientation.Lines, zoom: float, timeout: float) -> int:
    """Up or down for a page whose line direction is known: a band of a few lines, at
    Tesseract's letter size, is read one way and, unless that reading is sure, the other
    way; the more confident reading wins. A fraction of a full read."""
    first, last = (round(v * zoom) for v in lines.band)
    crop = page[:, first:last] if lines.vertical else page[first:last, :]
    crop = _scale(crop, min(3.0, max(0.4, PROBE_LETTER_SIZE / (lines.letter_size * zoom))))
    candidates = (90, 270) if lines.vertical else (0, 180)
    if min(crop.shape) < 8:  # nothing to probe: keep the page as it lies
        return candidates[0]
    scores: dict[int, float] = {}
    for degrees in candidates:
        words = _run(_rotate(crop, degrees), 6, timeout)
        if _probe_is_sure(words):
            return degrees
        scores[degrees] = _score(words)
    return max(candidates, key=lambda d: scores[d])


def to_source(
    box: tuple[int, int, int, int], rotation: int, shape: tuple[int, ...], factor: float
) -> tuple[int, int, int, int]:
    """A box found on the page turned clockwise by ``rotation``, back in the coordinates
    of the unturned, unscaled picture."""
    x, y, w, h = box
    height, width = shape[0], shape[1]  # of the page before it was turned
    if rotation == 90:
        x, y, w, h = y, height - x - w, h, w
    elif rotation == 180:
        x, y = width - x - w, height - y - h
    elif rotation == 270:
        x, y, w, h = width - y - h, x, h, w
    return (round(x / factor), round(y / factor), round(w / factor), round(h / factor))
