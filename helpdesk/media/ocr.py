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
  a page that does not read well is searched for its rotation: Tesseract's orientation
  detection (OSD), then quick reads turned. The probe, the search and what "reads well"
  means are in helpdesk/media/page_rotation.py.
- Layout: a page whose lines slope (fed into the scanner askew) is read level and its
  words' boxes turned back (helpdesk/media/deskew.py); two columns Tesseract read as one
  are put back as two (helpdesk/media/columns.py).
- Confidence gate: the text agents and summaries see holds only words Tesseract is sure
  of (helpdesk/media/ocr_text.py, which also holds ``OcrResult``); its language is guessed
  from stop words (helpdesk/media/ocr_language.py).
- Engine: camera pictures (photos, labels, receipts, video frames) are read by PaddleOCR's
  PP-OCRv6 models instead (helpdesk/media/ppocr.py) unless HELPDESK_OCR_ENGINE is
  ``tesseract``; screenshots, rendered pictures and scanned PDFs stay here.
  ``engine_for`` is the rule.
- ``OMP_THREAD_LIMIT=1`` is set for the Tesseract child processes: on a 2-core machine
  Tesseract's OpenMP threading is several times *slower* (see bench/bench_media.py);
  parallelism comes from running several files in a process pool instead.
"""

from __future__ import annotations

from types import EllipsisType

import numpy as np

from helpdesk.media import dateline, deskew, orientation, ppocr_models
from helpdesk.media.columns import split_columns
from helpdesk.media.ocr_text import OcrResult, assemble
from helpdesk.media.page_rotation import best_rotation, probe_rotation, reads_well, to_source
from helpdesk.media.tesseract import Word
from helpdesk.media.tesseract import letter_scale as _letter_scale
from helpdesk.media.tesseract import mean_confidence as _mean_confidence
from helpdesk.media.tesseract import rotate as _rotate
from helpdesk.media.tesseract import run as _run
from helpdesk.media.tesseract import scale as _scale
from helpdesk.media.tesseract import score as _score
from helpdesk.settings import get_settings

TARGET_CAP_HEIGHT = 30.0
BINARISE_BELOW = 75.0  # mean word confidence under which a binarised page is also tried
# Tesseract's word-box height per ink-blob size across a line (orientation.Lines): 1.04-1.77
# on the dev receipts' calibration half, 1.2 their median; within Tesseract's 18-60 px a
# page is read as it is, so the estimate only has to tell small print from large.
WORD_PER_LETTER = 1.2


PPOCR = "ppocr"
TESSERACT = "tesseract"
# A photographed page with at least this many letters (orientation.Lines.letters) is a page
# of print, which Tesseract reads better than PP-OCR: PP-OCR reads its letters well but
# interleaves a book page's two columns (the linn page: PP-OCR .738, Tesseract .961), and
# costs more CPU than Tesseract there. Twice the most letters on a calibration page
# (790, a long receipt; its pages all read better by PP-OCR); the held-out receipts have
# 487-704, the printed page 2744 (bench/ppocr_route.py).
DENSE_PAGE_LETTERS = 1600


def engine_for(
    grey: np.ndarray,
    *,
    camera: bool,
    purpose: str = "any",
    lines: orientation.Lines | None = None,
) -> str:
    """Which engine reads this picture: PP-OCR for camera pictures (it reads thermal
    receipts and photographed labels far better: bench/ppocr_eval.py) unless ``lines``
    (orientation.find_lines of ``grey``) show a dense page of print, Tesseract for
    rendered ones and for what the customer sent as a screenshot (a screen's small UI
    text and long identifiers read as well by Tesseract at a fifth of PP-OCR's CPU), and
    whenever HELPDESK_OCR_ENGINE is ``tesseract`` or PP-OCR's models are not installed."""
    if not camera or purpose == "screenshot" or get_settings().ocr_engine == TESSERACT:
        return TESSERACT
    if lines is not None and lines.letters >= DENSE_PAGE_LETTERS:
        return TESSERACT
    return PPOCR if ppocr_models.available() else TESSERACT


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


def _read_page(
    page: np.ndarray,
    psm: int,
    timeout: float,
    *,
    camera: bool,
    letter: float | None = None,
    binarise: bool = True,
    skew: float = 0.0,
) -> tuple:
    """Read one (upright) page: re-scaled to Tesseract's letter size and, for photos,
    binarised when that reads better (``binarise``; else see ``_binarised``). ``letter``:
    the page's word height (pixels) as its ink shows it (WORD_PER_LETTER); a page far
    from Tesseract's size is then scaled before its one full read instead of read twice.
    ``skew``: the lines' slope in degrees (orientation.Lines.skew), read level (deskew.py).
    Returns (page as read, words; their boxes on that page as it lies)."""
    if letter and not 18 <= letter <= 60:
        page = _scale(page, _letter_scale(page, TARGET_CAP_HEIGHT / letter))
    words = _run_level(page, psm, timeout, skew)
    height = _cap_height(words)
    if height and not 18 <= height <= 60:
        rescaled = _scale(page, _letter_scale(page, TARGET_CAP_HEIGHT / height))
        if rescaled is not page:  # at the pixel cap already: the same page, read once
            again = _run_level(rescaled, psm, timeout, skew)
            if _score(again) > _score(words):
                page, words = rescaled, again
    if camera and binarise:
        return _binarised(page, words, psm, timeout, skew)
    return page, words


def _binarised(
    page: np.ndarray, words: list[Word], psm: int, timeout: float, skew: float = 0.0
) -> tuple:
    """A photographed page read poorly is read again binarised, kept if that reads better:
    faded thermal paper, shadows across a label: a local (adaptive) threshold can separate
    ink from paper where Tesseract's global Otsu cannot. On clean pages it only adds
    speckle, so it is not tried there. Returns (page as read, words)."""
    if _mean_confidence(words) < BINARISE_BELOW:
        binary = _binarise(page, _cap_height(words))
        again = _run_level(binary, psm, timeout, skew)
        if _score(again) > _score(words):
            return binary, again
    return page, words


def _run_level(page: np.ndarray, psm: int, timeout: float, skew: float) -> list[Word]:
    """One Tesseract read, of the page turned level when its lines slope (deskew.py); the
    boxes are on ``page``."""
    if not deskew.worth_straightening(skew):
        return _run(page, psm, timeout)
    level, how = deskew.straighten(page, skew)
    return deskew.boxes_back(_run(level, psm, timeout), how)


def read_text(
    grey: np.ndarray,
    *,
    camera: bool,
    sparse: bool = False,
    timeout: float = 60.0,
    level_is_upright: bool = False,
    lines: orientation.Lines | EllipsisType | None = ...,
) -> OcrResult:
    """OCR a grey picture; ``camera`` for photos, ``sparse`` for scattered text (labels);
    ``level_is_upright``: a page whose lines run across is taken the right way up (phones
    save screenshots upright), without the upside-down probe; ``lines``: what
    orientation.find_lines says of ``grey`` when the caller has looked already.
    Word boxes are in ``grey``'s pixel coordinates, however the page was scaled or turned."""
    psm = 11 if sparse else 3
    page = prepare(grey, camera=camera)
    zoom = 1.0
    if max(page.shape) < 1000:  # small screenshots and crops: give Tesseract room
        page, zoom = _scale(page, 2.0), 2.0
    if lines is ...:
        lines = orientation.find_lines(grey)
    if lines is not None and not lines.vertical:
        # Lines across: the page is read as it lies, at the letter size its ink shows, and
        # turned over only when that does not read well (most pages arrive upright: the
        # read that would check is the read itself).
        letter = WORD_PER_LETTER * lines.letter_size * zoom
        skew = lines.skew  # the same turned over
        read, words = _read_page(
            page, psm, timeout, camera=camera, letter=letter, binarise=False, skew=skew
        )
        rotation = 0
        if not level_is_upright and not reads_well(words):
            turned = prepare(_rotate(grey, 180), camera=camera)
            if zoom != 1.0:
                turned = _scale(turned, zoom)
            turned, again = _read_page(
                turned, psm, timeout, camera=camera, letter=letter, binarise=False, skew=skew
            )
            if _score(again) > _score(words):
                read, words, rotation = turned, again, 180
        if camera:  # only the way up that reads is worth binarising
            read, words = _binarised(read, words, psm, timeout, skew)
    elif lines is not None:
        # Lines down the page: their direction and one short probe decide the turn before
        # the only full read, so a turned page costs about what an upright one does.
        rotation = probe_rotation(page, lines, zoom, timeout)
        letter = WORD_PER_LETTER * lines.letter_size * zoom
        if rotation:
            # The picture itself is turned and then prepared and scaled as an upright one
            # is: a page turned by quarter turns is the same pixels and reads the same.
            page = prepare(_rotate(grey, rotation), camera=camera)
            if zoom != 1.0:
                page = _scale(page, zoom)
        # the lines' slope is measured as they read turned a quarter (orientation.Lines)
        skew = lines.skew if rotation in (90, 270) else 0.0
        read, words = _read_page(page, psm, timeout, camera=camera, letter=letter, skew=skew)
    else:
        read, words = _read_page(page, psm, timeout, camera=camera)
        rotation = 0
        if not reads_well(words):
            rotation = best_rotation(page, psm, timeout, words)
            if rotation:
                turned, again = _read_page(_rotate(page, rotation), psm, timeout, camera=camera)
                if _score(again) > _score(words):
                    read, words = turned, again
                else:
                    rotation = 0
    if not sparse:  # a page's layout; a label's scattered words have none
        words = split_columns(words)
    words = dateline.reread_date_lines(read, words, timeout)
    # ``read`` may be scaled; its width along the unturned picture's x axis:
    across = read.shape[1] if rotation in (0, 180) else read.shape[0]
    factor = across / grey.shape[1]
    shape = read.shape if rotation in (0, 180) else (read.shape[1], read.shape[0])
    for word in words:
        word.box = to_source(word.box, rotation, shape, factor)
    return assemble(words, rotation)
