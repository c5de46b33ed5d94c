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
- Rotation: when little is read upright, Tesseract's orientation detection (OSD) is asked;
  when it cannot tell, quick reads of the page turned by 90/270/180 degrees decide. The page
  is then turned before a new pass.
- ``OMP_THREAD_LIMIT=1`` is set for the Tesseract child processes: on a 2-core machine
  Tesseract's OpenMP threading is several times *slower* (see bench/bench_media.py);
  parallelism comes from running several files in a process pool instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

LANGUAGES = "eng+spa"
TARGET_CAP_HEIGHT = 30.0
GOOD_WORD_CONFIDENCE = 60
KEEP_WORD_CONFIDENCE = 25
MAX_OCR_PIXELS = 12_000_000
BINARISE_BELOW = 75.0  # mean word confidence under which a binarised page is also tried
ROTATION_PROBE_SIDE = 1200  # long side of the quick reads that find a page's rotation

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
class Word:
    text: str
    confidence: float  # 0..100
    box: tuple[int, int, int, int]  # x, y, w, h in the OCR'd image
    line: int
    start: int = 0  # character offsets in OcrResult.text
    end: int = 0


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
    import cv2

    if float(np.median(grey)) < 110:
        grey = 255 - grey
    if camera:
        size = max(15, (max(grey.shape) // 40) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        background = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, kernel)
        background = cv2.GaussianBlur(background, (0, 0), size / 2)
        flat = grey.astype(np.float32) / np.maximum(background.astype(np.float32), 1.0)
        grey = np.clip(flat * 255.0, 0, 255).astype(np.uint8)
    return grey


def _scale(grey: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    if abs(factor - 1.0) < 0.05:
        return grey
    height, width = grey.shape
    factor = min(factor, (MAX_OCR_PIXELS / (height * width)) ** 0.5)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, size, interpolation=method)


def _run(grey: np.ndarray, psm: int, timeout: float) -> list[Word]:
    import pytesseract
    from PIL import Image

    # The Tesseract child inherits this; see the module doc.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(
        Image.fromarray(grey),
        lang=LANGUAGES,
        config=f"--oem 1 --psm {psm}",
        output_type=pytesseract.Output.DICT,
        timeout=timeout,
    )
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


def _cap_height(words: list[Word]) -> float | None:
    heights = [w.box[3] for w in words if w.confidence >= 50 and len(w.text) >= 2]
    return float(np.median(heights)) if len(heights) >= 2 else None


def _mean_confidence(words: list[Word]) -> float:
    weight = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / weight if weight else 0.0


def _binarise(page: np.ndarray, cap_height: float | None) -> np.ndarray:
    import cv2

    # The neighbourhood spans a few letters: large enough to hold paper around every
    # stroke, small enough to follow a shadow.
    block = int((cap_height or TARGET_CAP_HEIGHT) * 3) | 1
    return cv2.adaptiveThreshold(
        page, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, max(block, 15), 12
    )


def _score(words: list[Word]) -> float:
    return sum(w.confidence * len(w.text) for w in words if w.confidence >= GOOD_WORD_CONFIDENCE)


def _osd_rotation(grey: np.ndarray, timeout: float) -> tuple[int, float]:
    """Tesseract's orientation detection: (degrees clockwise to turn, confidence)."""
    import pytesseract
    from PIL import Image

    try:
        answer = pytesseract.image_to_osd(Image.fromarray(grey), config="--psm 0", timeout=timeout)
    except (pytesseract.TesseractError, RuntimeError):
        return 0, 0.0  # "too few characters": common with a few large lines
    rotate = _ROTATE.search(answer)
    confidence = _ORIENTATION_CONF.search(answer)
    if not rotate or not confidence:
        return 0, 0.0
    return int(rotate.group(1)) % 360, float(confidence.group(1))


def _find_rotation(page: np.ndarray, psm: int, timeout: float, upright_score: float) -> int:
    """How far to turn a page that reads badly upright. OSD first; it often gives up on a
    label with a few large lines, so then each quarter turn is read at reduced size and the
    clearly best one wins."""
    small = _scale(page, min(1.0, ROTATION_PROBE_SIDE / max(page.shape)))
    rotation, confidence = _osd_rotation(small, timeout)
    if rotation and confidence >= 2.0:
        return rotation
    scores = {0: max(upright_score, 1.0)}
    for degrees in (90, 270, 180):
        scores[degrees] = _score(_run(_rotate(small, degrees), psm, timeout))
    best = max(scores, key=lambda d: scores[d])
    return best if scores[best] >= 3 * scores[0] and scores[best] >= 200 else 0


def _rotate(grey: np.ndarray, degrees: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(grey, k=-(degrees // 90)))  # clockwise


def read_text(
    grey: np.ndarray, *, camera: bool, sparse: bool = False, timeout: float = 60.0
) -> OcrResult:
    """OCR a grey picture; ``camera`` for photos, ``sparse`` for scattered text (labels).
    Word boxes are in ``grey``'s pixel coordinates, however the page was scaled or turned."""
    psm = 11 if sparse else 3
    page = prepare(grey, camera=camera)
    if max(page.shape) < 1000:  # small screenshots and crops: give Tesseract room
        page = _scale(page, 2.0)
    words = _run(page, psm, timeout)
    height = _cap_height(words)
    if height and not 18 <= height <= 60:
        rescaled = _scale(page, TARGET_CAP_HEIGHT / height)
        again = _run(rescaled, psm, timeout)
        if _score(again) > _score(words):
            page, words = rescaled, again
    if camera and _mean_confidence(words) < BINARISE_BELOW:
        # Faded thermal paper, shadows across a label: a local (adaptive) threshold can
        # separate ink from paper where Tesseract's global Otsu cannot. Kept only if it
        # reads better, since on clean pages it only adds speckle.
        binary = _binarise(page, _cap_height(words))
        again = _run(binary, psm, timeout)
        if _score(again) > _score(words):
            page, words = binary, again
    rotation = 0
    if sum(1 for w in words if w.confidence >= GOOD_WORD_CONFIDENCE) < 4:
        rotation = _find_rotation(page, psm, timeout, _score(words))
        if rotation:
            again = _run(_rotate(page, rotation), psm, timeout)
            if _score(again) > _score(words):
                words = again
            else:
                rotation = 0
    factor = page.shape[1] / grey.shape[1]
    for word in words:
        word.box = _to_source(word.box, rotation, page.shape, factor)
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


def _assemble(words: list[Word], rotation: int) -> OcrResult:
    kept = [w for w in words if w.confidence >= KEEP_WORD_CONFIDENCE]
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
