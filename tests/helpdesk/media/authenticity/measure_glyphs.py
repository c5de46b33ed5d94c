"""Measurement, not a test (item 2 of issue 14): can a digit pasted into a real receipt be
told from the untouched pictures, inside one picture (no earlier copy)?

Run: ``nice -n 10 .venv/bin/python -m tests.helpdesk.media.authenticity.measure_glyphs``
(~10 min). On ``glyphset.cases`` (real receipts of media-dev, one digit of the total or
of the date covered by another digit of the same receipt; every untouched real picture
of media-dev as it is and re-sent), it prints per half, for the pasted digit and for the
untouched pictures' worst glyph:

- the text-line check at glyph level: each number read (3+ digits) cut into its glyphs
  (columns of ink in the word's box), each glyph's ink height, top and foot against the
  median of the number's other glyphs (shares of their height), and its edge sharpness;
- error-level analysis: |picture - picture re-saved at its own libjpeg quality| in the
  glyph, against the number's other glyphs;
- the double-compression check (``compression.inspect_jpeg``), with its CPU per
  megapixel.

Measured 2026-12-01 (report of authn6): none of them separates a pasted digit from honest
print: the pasted glyphs' gaps are 0-0.1 (the paste is cut from a line of the same size
and resized to the cell), while untouched receipts' worst glyphs reach 0.3-0.6 (OCR
word boxes and segmentation); no signal was shipped.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from helpdesk.media import analyze, limits
from helpdesk.media.authenticity.compression import inspect_jpeg
from helpdesk.media.authenticity.provenance import ijg_quality
from helpdesk.media.decode import load_image
from helpdesk.media.intake import sniff
from tests.helpdesk.media.authenticity.glyphset import cases

MIN_CONFIDENCE = 50.0
MIN_HEIGHT_PX = 10


@dataclass(frozen=True)
class Glyph:
    left: int  # columns within the word's crop
    right: int
    top: int  # rows of ink within the crop
    bottom: int
    sharpness: float


def _upright(crop: np.ndarray, rotation: int) -> np.ndarray:
    """A word read on a page turned clockwise by ``rotation``, turned the same way."""
    return np.rot90(crop, k=-(rotation // 90) % 4) if rotation else crop


def glyphs(crop: np.ndarray) -> list[Glyph]:
    """The glyphs of an upright word crop (dark ink on a light ground), left to right."""
    import cv2

    if min(crop.shape) < 4:
        return []
    pixels = np.ascontiguousarray(crop)
    _, ink = cv2.threshold(pixels, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    contrast = float(np.percentile(pixels, 90) - np.percentile(pixels, 10))
    if contrast < 30:
        return []
    gradient = np.hypot(
        cv2.Sobel(pixels.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3),
        cv2.Sobel(pixels.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3),
    )
    edges = cv2.dilate(ink, np.ones((3, 3), np.uint8)) - cv2.erode(ink, np.ones((3, 3), np.uint8))
    columns = ink.sum(axis=0) > 0
    found = []
    start = None
    for x, filled in enumerate([*columns, False]):
        if filled and start is None:
            start = x
        elif not filled and start is not None:
            rows = np.nonzero(ink[:, start:x].sum(axis=1))[0]
            edge = edges[:, start:x] > 0
            sharp = float(gradient[:, start:x][edge].mean()) / contrast if edge.any() else 0.0
            found.append(Glyph(start, x, int(rows[0]), int(rows[-1]) + 1, sharp))
            start = None
    return found


def odd_glyphs(
    grey: np.ndarray, words: Sequence[Any], *, rotation: int = 0
) -> list[tuple[Any, Glyph, dict[str, float], tuple[int, int, int, int]]]:
    """Every digit-height glyph of every read number with its gaps to the number's other
    glyphs (``height``, ``top``, ``bottom`` as shares of the median height, ``sharpness``
    as a ratio), for the check and for its calibration."""
    out = []
    for word in words:
        text = str(word.text)
        if word.confidence < MIN_CONFIDENCE or sum(c.isdigit() for c in text) < 3:
            continue
        x, y, w, h = word.box
        if min(w, h) < MIN_HEIGHT_PX:
            continue
        crop = _upright(grey[max(0, y - 2) : y + h + 2, max(0, x - 2) : x + w + 2], rotation)
        found = glyphs(crop)
        tall = [g for g in found if g.bottom - g.top >= 0.6 * max(b.bottom - b.top for b in found)]
        if len(tall) < 3:
            continue
        for glyph in tall:
            others = [g for g in tall if g is not glyph]
            size = float(np.median([g.bottom - g.top for g in others]))
            if size < MIN_HEIGHT_PX:
                continue
            sharp = float(np.median([g.sharpness for g in others]))
            gaps = {
                "height": ((glyph.bottom - glyph.top) - size) / size,
                "top": (glyph.top - float(np.median([g.top for g in others]))) / size,
                "bottom": (glyph.bottom - float(np.median([g.bottom for g in others]))) / size,
                "sharpness": glyph.sharpness / sharp if sharp > 0 else 1.0,
            }
            out.append((word, glyph, gaps, (x, y, w, h)))
    return out


def ela_map(data: bytes) -> np.ndarray | None:
    """|grey - grey re-saved at the file's own quality| at full size; None for non-JPEG."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format != "JPEG":
            return None
        quality = ijg_quality(list(image.quantization[0])) or 90
        grey = image.convert("L")
    buffer = io.BytesIO()
    grey.save(buffer, "JPEG", quality=quality)
    with Image.open(buffer) as again:
        return np.abs(np.asarray(grey, np.float32) - np.asarray(again.convert("L"), np.float32))


def _hit(box: tuple[float, ...], cell: tuple[int, ...] | None) -> bool | None:
    if cell is None:
        return None
    return not (box[2] < cell[0] or box[0] > cell[2] or box[3] < cell[1] or box[1] > cell[3])


def _case(split: str, case: Any) -> dict[str, Any]:
    purpose = "receipt" if "sroie" in case.name else "screenshot"
    analysis = analyze(case.data, purpose=purpose)
    mime = sniff(case.data).mime  # type: ignore[union-attr]
    loaded = load_image(case.data, mime, long_side=limits.OCR_LONG_SIDE)
    scale = loaded.width / loaded.grey.shape[1]
    upright = analysis.ocr is not None and analysis.ocr.rotation == 0
    ela = ela_map(case.data) if upright else None
    rows = []
    words = analysis.ocr.words if analysis.ocr is not None else []
    rotation = analysis.ocr.rotation if analysis.ocr is not None else 0
    for word, glyph, gaps, (x, y, _, _) in odd_glyphs(loaded.grey, words, rotation=rotation):
        # The glyph in the picture's pixels (the crop had a 2-pixel margin).
        box = tuple(
            v * scale
            for v in (
                x - 2 + glyph.left,
                y - 2 + glyph.top,
                x - 2 + glyph.right,
                y - 2 + glyph.bottom,
            )
        )
        level = None
        if ela is not None:
            patch = ela[round(box[1]) : round(box[3]), round(box[0]) : round(box[2])]
            level = float(patch.mean()) if patch.size else None
        rows.append({"text": word.text, "gaps": gaps, "pasted": _hit(box, case.cell), "ela": level})
    start = time.process_time()
    double = inspect_jpeg(case.data) if mime == "image/jpeg" else []
    cpu = time.process_time() - start
    size = (loaded.width, loaded.height) * 2
    region = tuple(v * s for v, s in zip(double[0].region, size, strict=True)) if double else None
    return {
        "split": split, "name": case.name, "kind": case.kind, "rows": rows,
        "dj": bool(double), "dj_hit": bool(region and _hit(region, case.cell)),
        "dj_cpu": cpu, "mp": loaded.width * loaded.height / 1e6,
    }  # fmt: skip


def measure() -> list[dict[str, Any]]:
    out = []
    for split in ("dev", "test"):
        for case in cases(split):
            out.append(_case(split, case))
            print(split, case.name, case.kind, file=sys.stderr, flush=True)
    return out


def _summary(measured: list[dict[str, Any]]) -> None:
    def gaps(row: dict[str, Any]) -> tuple[float, ...]:
        g = row["gaps"]
        return abs(g["height"]), abs(g["top"]), abs(g["bottom"]), g["sharpness"]

    for split in ("dev", "test"):
        mine = [c for c in measured if c["split"] == split]
        pasted = [c for c in mine if c["kind"].startswith("pasted")]
        honest = [c for c in mine if not c["kind"].startswith("pasted")]
        print(f"\n{split}: {len(pasted)} pasted digits, {len(honest)} untouched pictures")
        for index, name in enumerate(("height", "top", "foot")):
            found = [
                max((gaps(r)[index] for r in c["rows"] if r["pasted"]), default=0) for c in pasted
            ]
            worst = [max((gaps(r)[index] for r in c["rows"]), default=0) for c in honest]
            print(
                f"  {name:7s} pasted glyph max {max(found, default=0):.2f}; "
                f"untouched worst glyph per picture, highest: {sorted(worst)[-3:]}"
            )
        print(
            f"  double compression: pasted found {sum(bool(c['dj_hit']) for c in pasted)}/"
            f"{len(pasted)}, untouched flagged {sum(c['dj'] for c in honest)}/{len(honest)}, "
            f"{sum(c['dj_cpu'] for c in mine) / max(1e-9, sum(c['mp'] for c in mine)):.2f} s CPU/MP"
        )


if __name__ == "__main__":
    results = measure()
    _summary(results)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as handle:
            json.dump(results, handle)
