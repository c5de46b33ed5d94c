"""``analyze(data, purpose=...)``: from untrusted bytes to a verdict, text, fields and codes.

The answer is always an ``Analysis``; bad input is a refused analysis (``accepted`` false and
a problem with a stable code), never an exception, so a channel or a batch never stops on a
customer's file. ``Analysis.to_dict()`` is the JSON object ``helpdesk analyze --json``
prints for a file (without ``file``):

``kind, mime, accepted, problems[{code, severity, message}], metrics, ocr{text, confidence,
language} | null, fields[{type, value, confidence, raw, where, ...}], barcodes[{format,
value}], timings_ms``

Severities: ``error`` (the file is not usable for this purpose: ask again), ``warning``
(usable, could be better), ``info`` (noted, nothing to do).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpdesk.errors import MediaRejected
from helpdesk.media import audio, limits, quality
from helpdesk.media.authenticity.check import inspect as inspect_authenticity
from helpdesk.media.authenticity.edits import inconsistent_text
from helpdesk.media.barcodes import Barcode, read_barcodes
from helpdesk.media.beside import Pending
from helpdesk.media.decode import check_polyglot, load_image
from helpdesk.media.documents import read_pdf
from helpdesk.media.fields import Field, extract_fields, redact_cards
from helpdesk.media.ink import without_coloured_ink
from helpdesk.media.intake import sniff
from helpdesk.media.messages import message
from helpdesk.media.ocr import read_text
from helpdesk.media.ocr_text import OcrResult, from_text_layer
from helpdesk.media.receipts import read_receipt
from helpdesk.media.video import read_video

log = logging.getLogger(__name__)

ERROR, WARNING, INFO = "error", "warning", "info"
# OCR that reads this many confident words shows the picture is usable for its text even if
# a measure says it is dim, flat or a little soft; those problems become warnings.
READABLE_WORDS = 6
# ...and with this mean word confidence (0..1) the text is read clearly enough for a small
# picture to pass its purpose's resolution limit (see limits.MIN_READABLE_SIDE).
READ_CONFIDENCE = 0.75


@dataclass
class Problem:
    code: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass
class Analysis:
    purpose: str
    kind: str | None = None
    mime: str | None = None
    problems: list[Problem] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    ocr: OcrResult | None = None
    fields: list[Field] = field(default_factory=list)
    barcodes: list[Barcode] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    language: str = "en"
    authenticity: dict[str, Any] = field(default_factory=lambda: {"signals": []})

    @property
    def accepted(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def reason(self) -> str | None:
        """The code of the first blocking problem (what to tell the customer first)."""
        return next((p.code for p in self.problems if p.severity == ERROR), None)

    def problem(self, code: str, severity: str) -> None:
        if not any(p.code == code for p in self.problems):
            self.problems.append(Problem(code, severity, message(code, self.language)))

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "kind": self.kind,
                "mime": self.mime,
                "accepted": self.accepted,
                "problems": [p.to_dict() for p in self.problems],
                "metrics": self.metrics,
                "ocr": self.ocr.to_dict() if self.ocr is not None else None,
                "fields": [f.to_dict() for f in self.fields],
                "barcodes": [b.to_dict() for b in self.barcodes],
                "authenticity": self.authenticity,
                "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            }
        )


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones, so the result is JSON as it is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@contextmanager
def _timed(analysis: Analysis, name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        spent = (time.perf_counter() - start) * 1000
        analysis.timings_ms[name] = analysis.timings_ms.get(name, 0.0) + spent


def analyze(data: bytes, *, purpose: str, language: str = "en") -> Analysis:
    """Analyse ``data`` for ``purpose`` (photo, label, screenshot, receipt, video, voice,
    any); problem messages in ``language`` ("en" or "es")."""
    if purpose not in limits.PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}; one of {', '.join(limits.PURPOSES)}")
    analysis = Analysis(purpose=purpose, language=language if language in ("en", "es") else "en")
    start = time.perf_counter()
    try:
        _analyze(bytes(data), limits.PURPOSES[purpose], analysis)
    except MediaRejected as rejected:
        analysis.problem(rejected.reason, ERROR)
    except Exception:  # a decoder bug must not take the process down with it
        log.exception("media analysis failed; reported as corrupt")
        analysis.problem("corrupt", ERROR)
    analysis.timings_ms["total"] = (time.perf_counter() - start) * 1000
    return analysis


def _analyze(data: bytes, rules: limits.Purpose, analysis: Analysis) -> None:
    analysis.metrics["bytes"] = len(data)
    found = sniff(data)
    if found is None:
        raise MediaRejected("unsupported_type", "unknown file type")
    analysis.kind, analysis.mime = found.kind, found.mime
    if len(data) > limits.MAX_BYTES[found.kind]:
        raise MediaRejected("too_large", f"{len(data)} bytes")
    if found.mime not in rules.mimes:
        known = limits.IMAGE_MIMES | limits.VIDEO_MIMES | limits.AUDIO_MIMES | {limits.PDF}
        raise MediaRejected("wrong_kind" if found.mime in known else "unsupported_type", found.mime)
    if found.kind == "image":
        _image(data, found.mime, rules, analysis)
    elif found.kind == "video":
        _video(data, found.mime, rules, analysis)
    elif found.mime == limits.PDF:
        _pdf(data, rules, analysis)
    elif found.kind == "audio":
        # Voice notes are stored and attached; nothing to judge yet (transcription comes
        # later). Their length helps the agent decide to listen.
        with _timed(analysis, "decode"):
            duration = audio.duration(data)
        if duration is not None:
            analysis.metrics["duration_s"] = round(duration, 2)


def _image(data: bytes, mime: str, rules: limits.Purpose, analysis: Analysis) -> None:
    with _timed(analysis, "decode"):
        check_polyglot(data, mime)
        long_side = limits.OCR_LONG_SIDE if rules.ocr else limits.WORK_LONG_SIDE
        # A receipt's colour is kept for the stamp check (helpdesk/media/ink.py).
        loaded = load_image(data, mime, long_side=long_side, keep_colour=rules.name == "receipt")
    # Authenticity and barcodes need the pixels only: they run beside the verdict and the
    # OCR (helpdesk/media/beside.py), and are joined before the fields are read.
    beside = Pending(_beside, data, mime, loaded.grey, rules, analysis)
    try:
        with _timed(analysis, "quality"):
            work = _to_work(loaded.grey)
            measures = quality.measure(work, width=loaded.width, height=loaded.height)
            analysis.metrics.update(measures.as_metrics())
            analysis.metrics.update(
                frames=loaded.frames, source_mode=loaded.source_mode, orientation=loaded.orientation
            )
        text_grey = loaded.grey
        if rules.name == "receipt" and not measures.digital:
            with _timed(analysis, "ink"):  # a stamp across the print (helpdesk/media/ink.py)
                text_grey = without_coloured_ink(data, loaded.grey, loaded.colour)
        _read(text_grey, rules, analysis, camera=not measures.digital, beside=beside)
    finally:
        beside.wait()  # never left writing into an analysis that has been answered
    if rules.name in TEXT_CHECKED and measures.digital and analysis.ocr is not None:
        with _timed(analysis, "authenticity"):
            height, width = loaded.grey.shape
            found = inconsistent_text(analysis.ocr.words, width=width, height=height)
            analysis.authenticity.setdefault("signals", []).extend(s.to_dict() for s in found)
    _to_original(analysis, loaded.width / loaded.grey.shape[1])
    _judge(measures, rules, analysis)
    _require_identifier(rules, analysis)


# Purposes whose text an edit would change (an amount, a date, an error code); checked on
# rendered pictures only (see helpdesk.media.authenticity.edits).
TEXT_CHECKED = frozenset({"receipt", "screenshot"})
IDENTIFIER_TYPES = frozenset({"model_number", "serial_number", "barcode"})


def _require_identifier(rules: limits.Purpose, analysis: Analysis) -> None:
    """A label photo is for its model or serial number: a sharp photo of a street sign or
    of the back of the box is refused, saying what is missing."""
    if rules.name != "label" or not analysis.accepted:
        return
    if not any(f.type in IDENTIFIER_TYPES for f in analysis.fields):
        analysis.problem("no_identifier", ERROR)


def _to_work(grey: np.ndarray) -> np.ndarray:
    import cv2

    long_side = max(grey.shape)
    if long_side <= limits.WORK_LONG_SIDE:
        return grey
    scale = limits.WORK_LONG_SIDE / long_side
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _beside(
    data: bytes, mime: str, grey: np.ndarray, rules: limits.Purpose, analysis: Analysis
) -> list[Barcode]:
    with _timed(analysis, "authenticity"):
        analysis.authenticity = inspect_authenticity(data, mime=mime, grey=grey)
    if not rules.barcodes:
        return []
    with _timed(analysis, "barcodes"):
        return read_barcodes(grey)


def _read(
    grey: np.ndarray,
    rules: limits.Purpose,
    analysis: Analysis,
    *,
    camera: bool,
    beside: Pending | None = None,
) -> None:
    """OCR, barcodes and fields for purposes that read text (``beside``: the barcodes,
    being read in another thread)."""
    if rules.barcodes and beside is None:
        with _timed(analysis, "barcodes"):
            analysis.barcodes = read_barcodes(grey)
    if rules.ocr:
        import pytesseract

        with _timed(analysis, "ocr"):
            try:
                analysis.ocr = read_text(
                    grey,
                    camera=camera,
                    sparse=rules.name in ("label", "video"),
                    level_is_upright=rules.name == "screenshot",
                )
            except (RuntimeError, pytesseract.TesseractError) as error:
                # A Tesseract timeout or failure says nothing about the picture: keep the
                # quality verdict, report no text (ocr null) and do not blame the customer.
                log.warning("OCR failed: %s", error)
                analysis.metrics["ocr_error"] = str(error)[:200]
            else:
                analysis.metrics["ocr_words"] = analysis.ocr.good_words()
                analysis.metrics["ocr_rotation"] = analysis.ocr.rotation
    if beside is not None:
        analysis.barcodes = beside.result()
    _fields(analysis)


def _fields(analysis: Analysis) -> None:
    with _timed(analysis, "fields"):
        if analysis.ocr is not None and analysis.ocr.text:
            analysis.fields = extract_fields(
                analysis.ocr.text,
                words=analysis.ocr.words,
                source=analysis.ocr.source,
                language=analysis.ocr.language,
            )
            if analysis.purpose == "receipt":
                analysis.fields = read_receipt(
                    analysis.ocr.text, analysis.ocr.words, analysis.fields
                )
            analysis.ocr.text = redact_cards(analysis.ocr.text)
        for code in analysis.barcodes:
            analysis.fields.append(
                Field(
                    "barcode",
                    code.value,
                    1.0,
                    code.value,
                    {"source": "barcode", "format": code.format, "box": list(code.box)},
                )
            )


def _to_original(analysis: Analysis, scale: float) -> None:
    """Boxes of fields and barcodes in the original picture's pixels (it was decoded at a
    reduced size), so the console can point at them."""
    if abs(scale - 1.0) < 1e-3:
        return
    for item in analysis.fields:
        box = item.where.get("box")
        if box:
            item.where["box"] = [round(v * scale) for v in box]


def _readable(ocr: OcrResult | None) -> bool:
    return ocr is not None and ocr.good_words() >= READABLE_WORDS


def _judge(measures: quality.Measures, rules: limits.Purpose, analysis: Analysis) -> None:
    """Turn measures into problems for this purpose (limits explained in quality.py)."""
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
    if not measures.digital:  # camera problems do not apply to screenshots and renders
        dark_frame = measures.p95 < quality.DARK_P95 or measures.p75 < quality.DARK_P75
        if measures.median < quality.DARK_MEDIAN and dark_frame:
            analysis.problem("too_dark", soft)
        elif measures.median < quality.DIM_MEDIAN and measures.p95 < quality.DIM_P95:
            analysis.problem("too_dark", WARNING)
        # A razor-sharp picture with legible words on a white background (an e-receipt or a
        # light-mode screenshot that WhatsApp re-encoded as JPEG, which hides its flat areas
        # from is_digital) is bright because the page is white, not because of the flash. A
        # short error dialog has only a few words, so two are enough here.
        legible = ocr is not None and ocr.good_words() >= 2
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
        blurred = measures.blur >= quality.BLUR_ERROR_PX or measures.motion_blurred
        if blurred and not dark:
            analysis.problem("blurry", soft)
        elif measures.blur >= quality.BLUR_WARNING_PX and not dark:
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


def _video(data: bytes, mime: str, rules: limits.Purpose, analysis: Analysis) -> None:
    with _timed(analysis, "decode"):
        frames = read_video(data, mime)
    analysis.metrics.update(
        duration_s=round(frames.duration_s, 2),
        frame_count=frames.frame_count,
        fps=round(frames.fps, 2),
        sampled_frames=frames.sampled,
        best_frame=frames.best_index,
    )
    with _timed(analysis, "quality"):
        work = _to_work(frames.best)
        measures = quality.measure(work, width=frames.width, height=frames.height)
        analysis.metrics.update(measures.as_metrics())
    with _timed(analysis, "authenticity"):
        analysis.authenticity = inspect_authenticity(None, mime=mime, grey=frames.best)
    _read(frames.best, rules, analysis, camera=True)
    _to_original(analysis, frames.width / frames.best.shape[1] if frames.width else 1.0)
    _judge(measures, rules, analysis)
    blurry = next((p for p in analysis.problems if p.code == "blurry"), None)
    if blurry is not None and blurry.severity == ERROR:
        # For a video the advice is about filming, not about a photo.
        analysis.problems.remove(blurry)
        analysis.problem("no_clear_frame", ERROR)


def _pdf(data: bytes, rules: limits.Purpose, analysis: Analysis) -> None:
    with _timed(analysis, "decode"):
        content = read_pdf(data)
    analysis.metrics.update(pages=content.pages, text_layer=bool(content.text))
    analysis.authenticity = inspect_authenticity(data, mime=limits.PDF, grey=None)
    if content.text:
        analysis.ocr = from_text_layer(content.text)
    else:
        import pytesseract

        with _timed(analysis, "ocr"):
            try:
                results = [read_text(page, camera=False) for page in content.images]
            except (RuntimeError, pytesseract.TesseractError) as error:
                log.warning("OCR of a scanned PDF failed: %s", error)
                analysis.metrics["ocr_error"] = str(error)[:200]
                return
        text = "\n\n".join(r.text for r in results if r.text)
        words = results[0].words if len(results) == 1 else []  # positions: one page only
        weight = sum(len(r.text) for r in results) or 1
        confidence = sum(r.confidence * len(r.text) for r in results) / weight
        language = next((r.language for r in results if r.language), None)
        analysis.ocr = OcrResult(text, confidence, language, words)
        if content.images:
            with _timed(analysis, "barcodes"):
                analysis.barcodes = read_barcodes(content.images[0]) if rules.barcodes else []
    analysis.metrics["ocr_words"] = (
        analysis.ocr.good_words() if not content.text else len(content.text.split())
    )
    _fields(analysis)
    unread = not content.text and analysis.ocr.good_words() < 2 and not analysis.barcodes
    if rules.text_expected and unread:
        analysis.problem("no_text", ERROR)
