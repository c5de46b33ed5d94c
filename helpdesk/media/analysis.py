"""``analyze(data, purpose=...)``: from untrusted bytes to a verdict, text, fields and codes.

The answer is always an ``Analysis`` (helpdesk/media/analysis_result.py); bad input is a
refused analysis (``accepted`` false and a problem with a stable code), never an exception,
so a channel or a batch never stops on a customer's file. ``Analysis.to_dict()`` is the
JSON object ``helpdesk analyze --json`` prints for a file (without ``file``):

``kind, mime, accepted, problems[{code, severity, message}], metrics, ocr{text, confidence,
language} | null, fields[{type, value, confidence, raw, where, ...}], barcodes[{format,
value}], timings_ms``

Severities: ``error`` (the file is not usable for this purpose: ask again), ``warning``
(usable, could be better), ``info`` (noted, nothing to do). The measures and the OCR become
problems in helpdesk/media/judgement.py.
"""

from __future__ import annotations

import dataclasses
import logging
import time

import numpy as np

from helpdesk.errors import MediaRejected
from helpdesk.media import audio, limits, orientation, ppocr, quality
from helpdesk.media.analysis_result import ERROR, Analysis, timed
from helpdesk.media.authenticity.check import inspect as inspect_authenticity
from helpdesk.media.authenticity.edits import inconsistent_text
from helpdesk.media.barcodes import Barcode, read_barcodes
from helpdesk.media.beside import Pending
from helpdesk.media.decode import check_polyglot, load_image
from helpdesk.media.documents import read_pdf
from helpdesk.media.fields import Field, extract_fields, redact_cards
from helpdesk.media.ink import without_coloured_ink
from helpdesk.media.intake import sniff
from helpdesk.media.judgement import judge, require_identifier
from helpdesk.media.ocr import PPOCR, engine_for, read_text
from helpdesk.media.ocr_text import OcrResult, from_text_layer
from helpdesk.media.receipts import read_receipt
from helpdesk.media.video import read_video

log = logging.getLogger(__name__)


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
        with timed(analysis, "decode"):
            duration = audio.duration(data)
        if duration is not None:
            analysis.metrics["duration_s"] = round(duration, 2)


def _image(data: bytes, mime: str, rules: limits.Purpose, analysis: Analysis) -> None:
    with timed(analysis, "decode"):
        check_polyglot(data, mime)
        long_side = limits.OCR_LONG_SIDE if rules.ocr else limits.WORK_LONG_SIDE
        # A receipt's colour is kept for the stamp check (helpdesk/media/ink.py).
        loaded = load_image(data, mime, long_side=long_side, keep_colour=rules.name == "receipt")
    # Authenticity and barcodes need the pixels only: they run beside the verdict and the
    # OCR (helpdesk/media/beside.py), and are joined before the fields are read.
    rules = _reading_small(rules, width=loaded.width, height=loaded.height)
    beside = Pending(_beside, data, mime, loaded.grey, rules, analysis)
    try:
        with timed(analysis, "quality"):
            work = _to_work(loaded.grey)
            measures = quality.measure(work, width=loaded.width, height=loaded.height)
            analysis.metrics.update(measures.as_metrics())
            analysis.metrics.update(
                frames=loaded.frames, source_mode=loaded.source_mode, orientation=loaded.orientation
            )
        text_grey = loaded.grey
        if rules.name == "receipt" and not measures.digital:
            with timed(analysis, "ink"):  # a stamp across the print (helpdesk/media/ink.py)
                text_grey = without_coloured_ink(data, loaded.grey, loaded.colour)
        _read(text_grey, rules, analysis, camera=not measures.digital, beside=beside)
    finally:
        beside.wait()  # never left writing into an analysis that has been answered
    if rules.name in TEXT_CHECKED and measures.digital and analysis.ocr is not None:
        with timed(analysis, "authenticity"):
            height, width = loaded.grey.shape
            found = inconsistent_text(analysis.ocr.words, width=width, height=height)
            analysis.authenticity.setdefault("signals", []).extend(s.to_dict() for s in found)
    _to_original(analysis, loaded.width / loaded.grey.shape[1])
    judge(measures, rules, analysis)
    require_identifier(rules, analysis)


def _reading_small(rules: limits.Purpose, *, width: int, height: int) -> limits.Purpose:
    """A purpose that does not read text (a damage photo) still reads a picture below its
    resolution floor: a small crop of a page that Tesseract reads clearly passes the limit
    (judgement.judge), as it does for the purposes that read. Small pictures only, so the
    cost is a small picture's read; a photo at the floor or above is not read."""
    if rules.ocr or not limits.MIN_READABLE_SIDE <= min(width, height) < rules.min_short_side:
        return rules
    return dataclasses.replace(rules, ocr=True)


# Purposes whose text an edit would change (an amount, a date, an error code); checked on
# rendered pictures only (see helpdesk.media.authenticity.edits).
TEXT_CHECKED = frozenset({"receipt", "screenshot"})


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
    with timed(analysis, "authenticity"):
        analysis.authenticity = inspect_authenticity(data, mime=mime, grey=grey)
    if not rules.barcodes:
        return []
    with timed(analysis, "barcodes"):
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
        with timed(analysis, "barcodes"):
            analysis.barcodes = read_barcodes(grey)
    if rules.ocr:
        import pytesseract

        with timed(analysis, "ocr"):
            lines = orientation.find_lines(grey)  # both engines start from it
            engine = engine_for(grey, camera=camera, purpose=rules.name, lines=lines)
            analysis.metrics["ocr_engine"] = engine
            try:
                if engine == PPOCR:
                    analysis.ocr = ppocr.read_text(grey, lines=lines)
                else:
                    analysis.ocr = read_text(
                        grey,
                        camera=camera,
                        sparse=rules.name in ("label", "video"),
                        level_is_upright=rules.name == "screenshot",
                        lines=lines,
                    )
            except (RuntimeError, pytesseract.TesseractError) as error:
                # An OCR timeout or failure says nothing about the picture: keep the
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
    with timed(analysis, "fields"):
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


def _video(data: bytes, mime: str, rules: limits.Purpose, analysis: Analysis) -> None:
    with timed(analysis, "decode"):
        frames = read_video(data, mime)
    analysis.metrics.update(
        duration_s=round(frames.duration_s, 2),
        frame_count=frames.frame_count,
        fps=round(frames.fps, 2),
        sampled_frames=frames.sampled,
        best_frame=frames.best_index,
    )
    with timed(analysis, "quality"):
        work = _to_work(frames.best)
        measures = quality.measure(work, width=frames.width, height=frames.height)
        analysis.metrics.update(measures.as_metrics())
    with timed(analysis, "authenticity"):
        analysis.authenticity = inspect_authenticity(None, mime=mime, grey=frames.best)
    _read(frames.best, rules, analysis, camera=True)
    _to_original(analysis, frames.width / frames.best.shape[1] if frames.width else 1.0)
    judge(measures, rules, analysis)
    blurry = next((p for p in analysis.problems if p.code == "blurry"), None)
    if blurry is not None and blurry.severity == ERROR:
        # For a video the advice is about filming, not about a photo.
        analysis.problems.remove(blurry)
        analysis.problem("no_clear_frame", ERROR)


def _pdf(data: bytes, rules: limits.Purpose, analysis: Analysis) -> None:
    with timed(analysis, "decode"):
        content = read_pdf(data)
    analysis.metrics.update(pages=content.pages, text_layer=bool(content.text))
    analysis.authenticity = inspect_authenticity(data, mime=limits.PDF, grey=None)
    if content.text:
        analysis.ocr = from_text_layer(content.text)
    else:
        import pytesseract

        with timed(analysis, "ocr"):
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
            with timed(analysis, "barcodes"):
                analysis.barcodes = read_barcodes(content.images[0]) if rules.barcodes else []
    analysis.metrics["ocr_words"] = (
        analysis.ocr.good_words() if not content.text else len(content.text.split())
    )
    _fields(analysis)
    unread = not content.text and analysis.ocr.good_words() < 2 and not analysis.barcodes
    if rules.text_expected and unread:
        analysis.problem("no_text", ERROR)
