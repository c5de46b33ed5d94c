"""PP-OCR's text detector (DB, "differentiable binarisation"): where the text lines are.

The network gives each pixel a probability of being text; pixels over THRESH are grouped
into regions, each region's minimum-area rectangle is kept when its mean probability is at
least BOX_THRESH, and grown by UNCLIP (the network is trained on shrunk text regions).
This is PaddleOCR's ``DBPostProcess`` as rapidocr-onnxruntime 1.4.4 runs it, the pipeline
the figures in bench/ppocr_eval.py were measured with, written here with cv2 and pyclipper.

The settings are named constants so a study of faster or better ones can change them in
one place; they are read at each call.
"""

from __future__ import annotations

import numpy as np

from helpdesk.media import ppocr_models

# The page is scaled so that its long side is LIMIT_SIDE pixels ("fit": a larger page is
# shrunk, a smaller one enlarged; "max" only shrinks; "min", rapidocr's default, raises the
# short side to LIMIT_SIDE instead), then to multiples of 32 (the network's stride). On a
# receipt "fit" 736 is about a third of the pixels of "min" 736 and, with the lower THRESH
# and BOX_THRESH below, finds the same lines: calibration reading order .971/.975/.971/.965
# against .970/.972/.970/.958, the detector's CPU per receipt 0.26 against 1.19 s
# (bench/ppocr_eval.py, route max736+t0.2+bt0.4, chosen on the calibration half, whose
# text pages are all larger). A small page must be enlarged: the 384x191 scan of a printed page
# in the held-out half reads "bak e t e re abl" at its own size and word for word at 736.
# MAX_SIDE, when not 0, caps the long side first; MAX_PIXELS caps the area whatever the
# rest says: the network's memory grows with it (about 0.35 GB a megapixel, see
# ppocr_models._register_arena), and an analysis child has 1.5 GB in all.
LIMIT_SIDE = 736
LIMIT_TYPE = "fit"  # or "max", "min"
MAX_SIDE = 0
MAX_PIXELS = 2_000_000
# Normalisation of the page's pixels (0-1): rapidocr's 0.5/0.5, with which the figures were
# measured; the model's own inference.yml gives ImageNet's mean and deviation.
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)
THRESH = 0.2  # a pixel's text probability to count as text
BOX_THRESH = 0.4  # a region's mean probability to be kept
UNCLIP = 1.6  # how far a region is grown: its area * UNCLIP / its perimeter
MAX_CANDIDATES = 1000
MIN_SIZE = 3  # pixels of the map, a region's short side
# A crop at least this much taller than wide is a line running down: read turned, as
# PaddleOCR does.
TALL_CROP = 1.5


def _input(grey: np.ndarray) -> np.ndarray:
    import cv2

    height, width = grey.shape
    ratio = 1.0
    if MAX_SIDE and max(height, width) > MAX_SIDE:
        ratio = MAX_SIDE / max(height, width)
    if LIMIT_TYPE == "min":
        if min(height, width) * ratio < LIMIT_SIDE:
            ratio = LIMIT_SIDE / min(height, width)
    elif LIMIT_TYPE == "fit" or max(height, width) * ratio > LIMIT_SIDE:
        ratio = LIMIT_SIDE / max(height, width)
    if height * width * ratio * ratio > MAX_PIXELS:
        ratio = (MAX_PIXELS / (height * width)) ** 0.5
    size = (
        max(32, round(int(width * ratio) / 32) * 32),
        max(32, round(int(height * ratio) / 32) * 32),
    )
    page = cv2.resize(grey, size).astype(np.float32) / 255.0
    # grey as the three channels the network was trained on, each normalised on its own
    return np.stack([(page - m) / s for m, s in zip(MEAN, STD, strict=True)])[None]


def detect(grey: np.ndarray) -> list[np.ndarray]:
    """The text lines of a grey page: each a 4x2 float32 array of corners (top left, top
    right, bottom right, bottom left) in the page's pixels."""
    import cv2

    probability = ppocr_models.run(ppocr_models.DETECTOR, _input(grey))[0, 0]
    mask = cv2.dilate((probability > THRESH).astype(np.uint8), np.ones((2, 2), np.uint8))
    height, width = grey.shape
    boxes = []
    for box in _boxes(probability, mask, width, height):
        box = _clockwise(box)
        box[:, 0] = np.clip(box[:, 0], 0, width - 1).astype(np.int32)
        box[:, 1] = np.clip(box[:, 1], 0, height - 1).astype(np.int32)
        if np.linalg.norm(box[0] - box[1]) > 3 and np.linalg.norm(box[0] - box[3]) > 3:
            boxes.append(box)
    return boxes


def _boxes(probability: np.ndarray, mask: np.ndarray, width: int, height: int) -> list:
    import cv2

    rows, columns = mask.shape
    contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours[:MAX_CANDIDATES]:
        points, short = _mini_box(contour)
        if short < MIN_SIZE or _score(probability, points) < BOX_THRESH:
            continue
        grown = _unclip(points)
        if grown is None:
            continue
        box, short = _mini_box(grown)
        if short < MIN_SIZE + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / columns * width), 0, width)
        box[:, 1] = np.clip(np.round(box[:, 1] / rows * height), 0, height)
        found.append(box.astype(np.int32).astype(np.float32))
    return found


def _mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    rectangle = cv2.minAreaRect(contour)
    points = sorted(cv2.boxPoints(rectangle).tolist(), key=lambda p: p[0])
    left = sorted(points[:2], key=lambda p: p[1])
    right = sorted(points[2:], key=lambda p: p[1])
    box = np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
    return box, min(rectangle[1])


def _score(probability: np.ndarray, box: np.ndarray) -> float:
    """The mean text probability inside the box (PaddleOCR's "fast" score)."""
    import cv2

    rows, columns = probability.shape
    x0 = int(np.clip(np.floor(box[:, 0].min()), 0, columns - 1))
    x1 = int(np.clip(np.ceil(box[:, 0].max()), 0, columns - 1))
    y0 = int(np.clip(np.floor(box[:, 1].min()), 0, rows - 1))
    y1 = int(np.clip(np.ceil(box[:, 1].max()), 0, rows - 1))
    inside = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = (box - np.array([x0, y0], dtype=np.float32)).astype(np.int32)
    cv2.fillPoly(inside, shifted.reshape(1, -1, 2), 1)
    return float(cv2.mean(probability[y0 : y1 + 1, x0 : x1 + 1], inside)[0])


def _unclip(box: np.ndarray) -> np.ndarray | None:
    import pyclipper
    from shapely.geometry import Polygon

    polygon = Polygon(box)
    if polygon.length == 0:
        return None
    distance = polygon.area * UNCLIP / polygon.length
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box.tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    grown = offset.Execute(distance)
    if not grown:
        return None
    return np.array(grown[0], dtype=np.float32).reshape(-1, 1, 2)


def _clockwise(points: np.ndarray) -> np.ndarray:
    by_x = points[np.argsort(points[:, 0]), :]
    left = by_x[:2][np.argsort(by_x[:2, 1])]
    right = by_x[2:][np.argsort(by_x[2:, 1])]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def crop(grey: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The line inside ``box``, straightened (a perspective warp), turned to run across
    when it runs down (TALL_CROP)."""
    import cv2

    width = int(max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3])))
    height = int(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(box.astype(np.float32), target)
    line = cv2.warpPerspective(
        grey, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if line.shape[0] >= TALL_CROP * line.shape[1]:
        line = np.rot90(line)
    return np.ascontiguousarray(line)
