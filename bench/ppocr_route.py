"""Which pages should go to Tesseract instead of PP-OCR: features the product has before OCR
against the per-page similarity of both engines, from ``bench/ppocr_eval.py --dump``.

    PYTHONPATH=. OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/ppocr_eval.py \\
        --no-extras --dump /tmp/ppbench10/all.json --models ROUTE
    PYTHONPATH=. .venv/bin/python bench/ppocr_route.py /tmp/ppbench10/all.json ROUTE

Features per page and rotation (all before any OCR, on the picture read_text gets:
decode.load_image at limits.OCR_LONG_SIDE): the quality metrics analyze records (width,
height, blur_px, contrast_range, digital...), orientation.find_lines (vote, letter_size),
and from orientation._ink (the black-hat ink mask find_lines itself uses) the ink share
and the number of letter-sized blobs per megapixel. A rule is chosen on the calibration
half and only measured on the held-out half.

Measured on branch ppbench10 with ROUTE v6-small:own@max736+cls12+t0.2+bt0.4+w96+b1
(dumps of ppocr_eval --halves calibration, then --halves held_out): on the calibration
half PP-OCR reads every page at every rotation better than Tesseract (oracle = all-PP-OCR
.971, min .929; all-Tesseract .892), so calibration only bounds a rule from below; its
letters 194..641, det boxes 38..96, lines scored < 0.9 0..9.5 %, all camera (digital
False). Held-out (measured): all-PP-OCR .928 (min .738, linn), all-Tesseract .814 (min
.503), letters >= 1300 .957 (min .823; 4/30 sent, linn at each rotation) = the oracle
.957 (min .823). Held-out receipts have 212..662 letters, linn 2658..3540: any limit in
663..2658 gives the same; 1300 sits 2.0x above calibration's maximum and 2.0x below linn's
least. Det boxes (linn 82) and unsure lines (linn 0: every line scored >= 0.9) do not
separate it: PP-OCR reads linn's letters well and interleaves its two columns.
find_lines' own letter-blob count (its len(points)): calibration 393..790, held-out
receipts 487..704, linn 2744 at every rotation; blobs >= 1600 (2.0x calibration's most,
linn 1.7x above it) gives the same held-out .957 (min .823). The product applies this
rule (branch ocr12): orientation.Lines.letters >= ocr.DENSE_PAGE_LETTERS.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from statistics import mean

import numpy as np

from tests.helpdesk.media import real_media as rm


def features(file: str, degrees: int) -> dict[str, float]:
    """Cheap pre-OCR features of one page as the product would see it."""
    import cv2

    from helpdesk.media import limits, orientation
    from helpdesk.media.decode import load_image

    data = rm.turned(rm.DEV_SET / file, degrees)
    mime = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    grey = load_image(data, mime, long_side=limits.OCR_LONG_SIDE).grey
    lines = orientation.find_lines(grey)
    ink = orientation._ink(grey) > 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    letter = lines.letter_size if lines else 0.0
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    letters = int(((heights >= 0.5 * letter) & (heights <= 2 * letter)).sum()) if letter else 0
    short = min(grey.shape)
    return {
        # find_lines' own letter blobs (at CUE_LONG_SIDE; the same at any quarter turn),
        # what ocr.engine_for routes by; 0 where it finds no lines
        "blobs": lines.letters if lines else 0,
        "short": short,
        "long": max(grey.shape),
        "ink": float(ink.mean()),
        "letter": letter,
        "letter_per_short": letter / short,
        "letters_per_mp": letters / (grey.size / 1e6),
        "letters": letters,
        "vote": lines.vote if lines else 0.0,
    }


LETTERS_LIMIT = 1300
BLOBS_LIMIT = 1600

# The rules looked at: page -> True where it goes to Tesseract. Thresholds are set on the
# calibration half only (see main's printout of each feature's calibration range).
RULES: dict[str, Callable[[dict], bool]] = {
    "all-ppocr": lambda f: False,
    "all-tesseract": lambda f: True,
    # No calibration page reads better with Tesseract (at any rotation), so the calibration
    # half only bounds a rule from below: it must send none of its pages. LETTERS_LIMIT is
    # twice the most letter-sized blobs on a calibration page (641, receipt 500 at 0/180):
    # a page with that much text costs PP-OCR's recogniser about twice a receipt's CPU.
    "letters>=1300": lambda f: f["letters"] >= LETTERS_LIMIT,
    # the same from find_lines' own count: twice calibration's most (790, receipt 500)
    "blobs>=1600": lambda f: f["blobs"] >= BLOBS_LIMIT,
    # twice the calibration maximum, as above: a first PP-OCR detection pass (~0.3 s)
    "boxes>=200": lambda f: f["boxes"] >= 200,  # calibration max 96
    # a PP-OCR first pass read: the share of lines scored below 0.9
    "unsure>=0.2": lambda f: f["unsure"] >= 0.2,  # calibration max 0.087
}


def main(dump: str, route: str) -> None:
    results = json.loads(Path(dump).read_text())
    rows = []
    for r in results:
        f = features(r["file"], r["degrees"])
        f.update({k: r["tesseract"]["metrics"].get(k, 0) for k in ("blur_px", "contrast_range")})
        f["digital"] = float(bool(r["tesseract"]["metrics"].get("digital", 0)))
        seen = r[route]["features"]
        f["boxes"] = seen.get("boxes", 0)
        scores = seen.get("scores") or [0.0]
        f["unsure"] = sum(s < 0.9 for s in scores) / len(scores)
        rows.append((r, f))
    keys = list(rows[0][1])
    print("file deg half  tess  pp   " + " ".join(keys))
    for r, f in sorted(rows, key=lambda x: (x[0]["half"], x[0]["file"], x[0]["degrees"])):
        print(
            f"{r['file'][:28]:28} {r['degrees']:3} {r['half'][:4]} "
            f"{r['tesseract']['similarity']:.3f} {r[route]['similarity']:.3f} "
            + " ".join(f"{f[k]:.4g}" for k in keys)
        )
    for half in ("calibration", "held_out"):
        part = [(r, f) for r, f in rows if r["half"] == half]
        if not part:
            continue
        for k in keys:
            values = [f[k] for _, f in part]
            print(f"{half} {k}: {min(values):.4g} .. {max(values):.4g}")
        for name, rule in RULES.items():
            sims = [r["tesseract" if rule(f) else route]["similarity"] for r, f in part]
            sent = sum(rule(f) for _, f in part)
            print(
                f"{half} {name}: mean {mean(sims):.3f} min {min(sims):.3f} "
                f"({sent}/{len(part)} to Tesseract)"
            )
        best = [max(r["tesseract"]["similarity"], r[route]["similarity"]) for r, _ in part]
        print(f"{half} oracle: mean {mean(best):.3f} min {min(best):.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
