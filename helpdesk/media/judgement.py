"""The verdict: an image's measures (helpdesk/media/quality.py) and what OCR read, turned
into problems for the purpose it was sent for (limits in helpdesk/media/limits.py)."""

from __future__ import annotations

from helpdesk.media import limits, quality, sharpness
from helpdesk.media.analysis_result import ERROR, INFO, WARNING, Analysis
from helpdesk.media.ocr_text import OcrResult

# OCR that reads this many confident words shows the picture is usable for its text even if
# a measure says it is dim, flat or a little soft; those problems become warnings.
READABLE_WORDS = 6
# ...and with this mean word confidence (0..1) the text is read clearly enough for a small
# picture to pass its purpose's resolution limit (see limits.MIN_READABLE_SIDE).
READ_CONFIDENCE = 0.75
IDENTIFIER_TYPES = frozenset({"model_number", "serial_number", "barcode"})


def require_identifier(rules: limits.Purpose, analysis: Analysis) -> None:
    """A label photo is for its model or serial number: a sharp photo of a street sign or
    of the back of the box is refused, saying what is missing."""
    if rules.name != "label" or not analysis.accepted:
        return
    if not any(f.type in IDENTIFIER_TYPES for f in analysis.fields):
        analysis.problem("no_identifier", ERROR)


def _readable(ocr: OcrResult | None) -> bool:
    return ocr is not None and ocr.good_words() >= READABLE_WORDS


def judge(measures: quality.Measures, rules: limits.Purpose, analysis: Analysis) -> None:
    """Turn measures into problems for this purpose (limits explained in quality.py, the
    blur limits in sharpness.py)."""
    ocr = analysis.ocr
    readable = _readable(ocr)
    soft = WARNING if readable else ERROR

    short_side = min(measures.width, measures.height)
    if short_side < rules.min_short_side:
        # The limits are what small print needs; a picture whose text Tesseract reads
        # word for word (a cropped screenshot, a narrow receipt) shows what it has to.
        clearly_read = readable and ocr is not None and ocr.confidence >= READ_CONFIDENCE
        if not clearly_read or short_side < limits.MIN_READABLE_SIDE:
            analysis.problem("low_resolution", ERROR)
    dark_frame = measures.p95 < quality.DARK_P95 or measures.p75 < quality.DARK_P75
    dark_picture = measures.median < quality.DARK_MEDIAN and dark_frame
    legible = ocr is not None and ocr.good_words() >= 2
    # A dark photo saved at low JPEG quality is flat in 8x8 blocks and can pass for a
    # screen (quality.is_digital): a dark picture is a screen only where words are read on
    # it (a dark-mode screenshot); otherwise it is judged as the photo it most likely is.
    screen = measures.digital and (legible or not dark_picture)
    if not screen:  # camera problems do not apply to screenshots and renders
        if dark_picture:
            analysis.problem("too_dark", soft)
        elif measures.median < quality.DIM_MEDIAN and measures.p95 < quality.DIM_P95:
            analysis.problem("too_dark", WARNING)
        # A razor-sharp picture with legible words on a white background (an e-receipt or a
        # light-mode screenshot that WhatsApp re-encoded as JPEG, which hides its flat areas
        # from is_digital) is bright because the page is white, not because of the flash. A
        # short error dialog has only a few words, so two are enough here.
        white_page = legible and rules.text_expected and measures.blur < 1.0
        inked = (
            measures.contrast_range >= quality.INK_RANGE and measures.blur < quality.INK_MAX_BLUR_PX
        )
        if not (white_page or inked) and (
            measures.clipped_fraction > quality.CLIPPED_FRACTION
            or (measures.median >= quality.BRIGHT_MEDIAN and measures.p05 >= quality.BRIGHT_P05)
        ):
            analysis.problem("too_bright", soft)
        dark_or_bright = any(p.code in ("too_dark", "too_bright") for p in analysis.problems)
        # In the dark, noise and missing edges make any sharpness reading meaningless.
        dark = any(p.code == "too_dark" for p in analysis.problems)
        flat = measures.contrast_range < quality.LOW_CONTRAST_RANGE
        if flat and not dark_or_bright and not white_page:
            # A plain surface with a faint scratch is a fair damage photo: warn only there.
            analysis.problem("low_contrast", soft if rules.text_expected else WARNING)
        blurred = measures.blur >= sharpness.BLUR_ERROR_PX or measures.motion_blurred
        if blurred and not dark:
            analysis.problem("blurry", soft)
        elif measures.blur >= sharpness.BLUR_WARNING_PX and not dark:
            analysis.problem("blurry", WARNING)
        if measures.glare_fraction >= quality.GLARE_FRACTION:
            # Not softened by OCR: what is read may be beside the reflection, what it hides
            # (often the digits that matter) is not, and tilting the phone costs nothing.
            analysis.problem("glare", ERROR if rules.glare_matters else WARNING)
    if rules.text_expected and ocr is not None and ocr.good_words() < 2 and not analysis.barcodes:
        analysis.problem("no_text", ERROR)
    if ocr is not None and ocr.rotation and readable:
        # Only where there is text to tell up from down: a dark room has none.
        analysis.problem("rotated", INFO)
