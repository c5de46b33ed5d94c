"""OCR with Tesseract (pytesseract), English and Spanish, prepared per purpose.

- Grey input; light text on a dark background (dark-mode screens, LCD panels) is inverted,
  since Tesseract's models are trained on dark text on light paper.
- Camera pictures get their uneven lighting flattened (divided by a blurred background),
  which is what a phone photo of a label or receipt needs most; Tesseract's own Otsu
  binarisation then works on even light. When that still reads poorly, a locally
  (adaptively) binarised page is tried as well and the better reading kept. Screenshots are
  passed as they are.
- Scale: Tesseract reads best when capital letters are about 30 px tall. A first pass
  measures the text height; when it is far from that, the page is re-scaled and read again.
- Rotation: where the page has text lines, their direction is seen from the letters'
  layout (helpdesk/media/orientation.py, milliseconds). Lines across: the page is read as
  it lies and read turned over only when that does not read well (most pages arrive
  upright). Lines down: a short read of a band of a few lines decides 90 from 270
  degrees before the only full read. Where no lines are seen (a sign, a label in a photo)
  a page that does not read well is checked with Tesseract's orientation detection (OSD)
  and, where OSD is not confident, quick reads turned by 180/90/270 degrees.
- Confidence gate: the text agents and summaries see holds only words Tesseract is sure
  of (or fairly sure of inside a confidently read line); letter-like fragments read from
  texture (foliage, a street scene) are dropped, not shown.
- ``OMP_THREAD_LIMIT=1`` is set for the Tesseract child processes: on a 2-core machine
  Tesseract's OpenMP threading is several times *slower* (see bench/bench_media.py);
  parallelism comes from running several files in a process pool instead.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field

import numpy as np

from helpdesk.media import dateline, engine, orientation
from helpdesk.media.tesseract import (
    GOOD_WORD_CONFIDENCE,
    Word,
)
from helpdesk.media.tesseract import letter_scale as _letter_scale
from helpdesk.media.tesseract import mean_confidence as _mean_confidence
from helpdesk.media.tesseract import rotate as _rotate
from helpdesk.media.tesseract import run as _run
from helpdesk.media.tesseract import scale as _scale
from helpdesk.media.tesseract import score as _score

TARGET_CAP_HEIGHT = 30.0
# Words under GOOD_WORD_CONFIDENCE are kept only inside lines read at GOOD_LINE_CONFIDENCE
# (length-weighted), never under KEEP_WORD_CONFIDENCE: what agents and summaries see is
# text, not the letters Tesseract finds in foliage.
KEEP_WORD_CONFIDENCE = 30
GOOD_LINE_CONFIDENCE = 70
BINARISE_BELOW = 75.0  # mean word confidence under which a binarised page is also tried
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
# The upside-down probe (see _probe_rotation) reads a band of a few lines scaled so its
# letters are this tall, and stops at the first reading with this many confident words
# of 3+ characters at this length-weighted mean confidence.
PROBE_LETTER_SIZE = 28.0
PROBE_SURE_WORDS = 5
PROBE_SURE_CONFIDENCE = 75.0
# Tesseract's word-box height per ink-blob size across a line (orientation.Lines): 1.04-1.77
# on the dev receipts' calibration half, 1.2 their median; within Tesseract's 18-60 px a
# page is read as it is, so the estimate only has to tell small print from large.
WORD_PER_LETTER = 1.2

_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ORIENTATION_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")

# Small stop-word lists decide English vs Spanish for OCR'd text: the text is often a few
# words of UI and numbers, where counting unmistakable function words is as reliable as a
# statistical detector and costs nothing per process.
_EN_WORDS = (
    "the and your you to of is are was for with not this that please payment order total "
    "date amount failed successful pending transaction error from has been could try again "
    "was were will model serial number paid refund"
)
_ES_WORDS = (
    "el la los las de del y en su tu es son fue para con por no este esta pago pedido "
    "importe fecha fallido fallida exitoso exitosa pendiente transacción operación número "
    "modelo serie intente nuevo ha sido se reembolso pagado"
)
_EN, _ES = frozenset(_EN_WORDS.split()), frozenset(_ES_WORDS.split())


@dataclass
class OcrResult:
    text: str
    confidence: float  # 0..1, mean of kept words weighted by length
    language: str | None  # "en", "es" or None when it cannot tell
    words: list[Word] = field(default_factory=list)
    rotation: int = 0  # degrees the picture was turned clockwise before reading
    source: str = "tesseract"  # or "pdf_text"

    def good_words(self) -> int:
        return sum(
            1
            for w in self.words
            if w.confidence >= GOOD_WORD_CONFIDENCE and sum(c.isalnum() for c in w.text) >= 2
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "language": self.language,
        }


def detect_language(text: str) -> str | None:
    words = re.findall(r"[^\W\d_]+", text.lower())
    en = sum(1 for w in words if w in _EN)
    es = sum(1 for w in words if w in _ES)
    if max(en, es) < 2 or en == es:
        return None
    return "en" if en > es else "es"


def prepare(grey: np.ndarray, *, camera: bool) -> np.ndarray:
    """Invert dark backgrounds and, for camera pictures, flatten the lighting."""
    if float(np.median(grey)) < 110:
        grey = 255 - grey
    if camera:
        flat = grey.astype(np.float32) / np.maximum(_background(grey).astype(np.float32), 1.0)
        grey = np.clip(flat * 255.0, 0, 255).astype(np.uint8)
    return grey


BACKGROUND_STEP = 4  # pixels per side of the blocks the paper's light is measured on


def _background(grey: np.ndarray) -> np.ndarray:
    """The paper's light without the ink: a closing (ink thinner than the kernel goes),
    blurred. Measured on the page's block maxima, BACKGROUND_STEP pixels a side (the paper's
    brightest pixel per block, as the full-size closing keeps it), then blown up again: the
    light changes over tens of pixels, and the big kernel and blur cost 4-5x less on a
    sixteenth of the pixels (within 1 grey level of the full-size result on the dev
    receipts, mean)."""
    import cv2

    size = max(15, (max(grey.shape) // 40) | 1)
    step = BACKGROUND_STEP
    height, width = grey.shape
    tall, wide = -(-height // step) * step, -(-width // step) * step
    padded = cv2.copyMakeBorder(grey, 0, tall - height, 0, wide - width, cv2.BORDER_REPLICATE)
    # Each block's maximum: a dilation by the block anchored at its top-left corner, read
    # every ``step`` pixels (the same values as numpy's reshape-and-max, 50x sooner: 0.4
    # against 20 ms on a 1.4-MP receipt).
    block = np.ones((step, step), np.uint8)
    small = cv2.dilate(padded, block, anchor=(0, 0))[::step, ::step]
    side = max(3, (size // step) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = cv2.GaussianBlur(background, (0, 0), size / 2 / step)
    return cv2.resize(background, (wide, tall), interpolation=cv2.INTER_LINEAR)[:height, :width]


def _cap_height(words: list[Word]) -> float | None:
    heights = [w.box[3] for w in words if w.confidence >= 50 and len(w.text) >= 2]
    return float(np.median(heights)) if len(heights) >= 2 else None


def _binarise(page: np.ndarray, cap_height: float | None) -> np.ndarray:
    import cv2

    # The neighbourhood spans a few letters: large enough to hold paper around every
    # stroke, small enough to follow a shadow.
    block = int((cap_height or TARGET_CAP_HEIGHT) * 3) | 1
    return cv2.adaptiveThreshold(
        page, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, max(block, 15), 12
    )


def _osd_rotation(grey: np.ndarray, timeout: float) -> tuple[int, float]:
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


def _reads_well(words: list[Word]) -> bool:
    """A reading a person would accept as text: enough confident words, most of it
    confident. Upside-down or sideways pages read as short, unsure fragments."""
    good = [w for w in words if w.confidence >= GOOD_WORD_CONFIDENCE and len(w.text) >= 3]
    return len(good) >= UPRIGHT_GOOD_WORDS and _mean_confidence(words) >= UPRIGHT_MEAN_CONFIDENCE


def _best_rotation(page: np.ndarray, psm: int, timeout: float, words: list[Word]) -> int:
    """How far to turn a page that does not read well as it is. Tesseract's OSD where it
    is confident; otherwise each quarter turn is read at reduced size (cheap) and the most
    confident reading wins, when it is clearly better than the page as it is."""
    small = _scale(page, min(1.0, ROTATION_PROBE_SIDE / max(page.shape)))
    rotation, confidence = _osd_rotation(small, timeout)
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


def _read_page(
    page: np.ndarray,
    psm: int,
    timeout: float,
    *,
    camera: bool,
    letter: float | None = None,
    binarise: bool = True,
) -> tuple:
    """Read one (upright) page: re-scaled to Tesseract's letter size and, for photos,
    binarised when that reads better (``binarise``; else see ``_binarised``). ``letter``:
    the page's word height (pixels) as its ink shows it (WORD_PER_LETTER); a page far
    from Tesseract's size is then scaled before its one full read instead of read twice.
    Returns (page as read, words)."""
    if letter and not 18 <= letter <= 60:
        page = _scale(page, _letter_scale(page, TARGET_CAP_HEIGHT / letter))
    words = _run(page, psm, timeout)
    height = _cap_height(words)
    if height and not 18 <= height <= 60:
        rescaled = _scale(page, _letter_scale(page, TARGET_CAP_HEIGHT / height))
        if rescaled is not page:  # at the pixel cap already: the same page, read once
            again = _run(rescaled, psm, timeout)
            if _score(again) > _score(words):
                page, words = rescaled, again
    if camera and binarise:
        return _binarised(page, words, psm, timeout)
    return page, words


def _binarised(page: np.ndarray, words: list[Word], psm: int, timeout: float) -> tuple:
    """A photographed page read poorly is read again binarised, kept if that reads better:
    faded thermal paper, shadows across a label: a local (adaptive) threshold can separate
    ink from paper where Tesseract's global Otsu cannot. On clean pages it only adds
    speckle, so it is not tried there. Returns (page as read, words)."""
    if _mean_confidence(words) < BINARISE_BELOW:
        binary = _binarise(page, _cap_height(words))
        again = _run(binary, psm, timeout)
        if _score(again) > _score(words):
            return binary, again
    return page, words


def _probe_is_sure(words: list[Word]) -> bool:
    """A band read the right way up: several confident words, most of it confident.
    Upside down, Tesseract reads the same band as short fragments at 20-50."""
    good = [w for w in words if w.confidence >= GOOD_WORD_CONFIDENCE and len(w.text) >= 3]
    return len(good) >= PROBE_SURE_WORDS and _mean_confidence(words) >= PROBE_SURE_CONFIDENCE


def _probe_rotation(page: np.ndarray, lines: orientation.Lines, zoom: float, timeout: float) -> int:
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


def read_text(
    grey: np.ndarray,
    *,
    camera: bool,
    sparse: bool = False,
    timeout: float = 60.0,
    level_is_upright: bool = False,
) -> OcrResult:
    """OCR a grey picture; ``camera`` for photos, ``sparse`` for scattered text (labels);
    ``level_is_upright``: a page whose lines run across is taken the right way up (phones
    save screenshots upright), without the upside-down probe.
    Word boxes are in ``grey``'s pixel coordinates, however the page was scaled or turned."""
    psm = 11 if sparse else 3
    page = prepare(grey, camera=camera)
    zoom = 1.0
    if max(page.shape) < 1000:  # small screenshots and crops: give Tesseract room
        page, zoom = _scale(page, 2.0), 2.0
    lines = orientation.find_lines(grey)
    if lines is not None and not lines.vertical:
        # Lines across: the page is read as it lies, at the letter size its ink shows, and
        # turned over only when that does not read well (most pages arrive upright: the
        # read that would check is the read itself).
        letter = WORD_PER_LETTER * lines.letter_size * zoom
        read, words = _read_page(page, psm, timeout, camera=camera, letter=letter, binarise=False)
        rotation = 0
        if not level_is_upright and not _reads_well(words):
            turned = prepare(_rotate(grey, 180), camera=camera)
            if zoom != 1.0:
                turned = _scale(turned, zoom)
            turned, again = _read_page(
                turned, psm, timeout, camera=camera, letter=letter, binarise=False
            )
            if _score(again) > _score(words):
                read, words, rotation = turned, again, 180
        if camera:  # only the way up that reads is worth binarising
            read, words = _binarised(read, words, psm, timeout)
    elif lines is not None:
        # Lines down the page: their direction and one short probe decide the turn before
        # the only full read, so a turned page costs about what an upright one does.
        rotation = _probe_rotation(page, lines, zoom, timeout)
        letter = WORD_PER_LETTER * lines.letter_size * zoom
        if rotation:
            # The picture itself is turned and then prepared and scaled as an upright one
            # is: a page turned by quarter turns is the same pixels and reads the same.
            page = prepare(_rotate(grey, rotation), camera=camera)
            if zoom != 1.0:
                page = _scale(page, zoom)
        read, words = _read_page(page, psm, timeout, camera=camera, letter=letter)
    else:
        read, words = _read_page(page, psm, timeout, camera=camera)
        rotation = 0
        if not _reads_well(words):
            rotation = _best_rotation(page, psm, timeout, words)
            if rotation:
                turned, again = _read_page(_rotate(page, rotation), psm, timeout, camera=camera)
                if _score(again) > _score(words):
                    read, words = turned, again
                else:
                    rotation = 0
    words = dateline.reread_date_lines(read, words, timeout)
    # ``read`` may be scaled; its width along the unturned picture's x axis:
    across = read.shape[1] if rotation in (0, 180) else read.shape[0]
    factor = across / grey.shape[1]
    shape = read.shape if rotation in (0, 180) else (read.shape[1], read.shape[0])
    for word in words:
        word.box = _to_source(word.box, rotation, shape, factor)
    return _assemble(words, rotation)


def _to_source(
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


def _is_text(word: Word, line_confidence: float) -> bool:
    """Confidence gate: a word is shown when Tesseract is sure of it, or fairly sure
    inside a line it reads confidently (digits on a receipt often score 40-60 alone)."""
    if word.confidence >= GOOD_WORD_CONFIDENCE:
        return True
    return word.confidence >= KEEP_WORD_CONFIDENCE and line_confidence >= GOOD_LINE_CONFIDENCE


def _noise_line(words: list[Word]) -> bool:
    """Texture read as letters (foliage, brick, a street scene): a line of one- and
    two-letter fragments with no digit and no real word."""
    return (
        all(len(w.text) <= 2 for w in words)
        and not any(c.isdigit() for w in words for c in w.text)
        and len(words) >= 2
    )


def _assemble(words: list[Word], rotation: int) -> OcrResult:
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    kept: list[Word] = []
    for line in lines.values():
        confidence = _mean_confidence(line)
        shown = [w for w in line if _is_text(w, confidence)]
        if shown and not _noise_line(shown):
            kept.extend(shown)
    parts: list[str] = []
    position = 0
    previous_line = None
    for word in kept:
        if previous_line is not None:
            separator = " " if word.line == previous_line else "\n"
            parts.append(separator)
            position += 1
        word.start = position
        parts.append(word.text)
        position += len(word.text)
        word.end = position
        previous_line = word.line
    text = "".join(parts)
    weight = sum(len(w.text) for w in kept)
    confidence = sum(w.confidence * len(w.text) for w in kept) / weight / 100 if weight else 0.0
    return OcrResult(text, confidence, detect_language(text), kept, rotation)


def from_text_layer(text: str) -> OcrResult:
    """A PDF's own text, in the OCR result's shape (fully confident)."""
    text = re.sub(r"[ \t]+", " ", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return OcrResult(text, 1.0, detect_language(text), [], 0, "pdf_text")
