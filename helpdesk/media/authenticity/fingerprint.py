"""Perceptual fingerprints of a picture: several views, each with two perceptual hashes.

One DCT hash of the whole picture (a perceptual hash) survives re-encoding, resizing,
colour changes and a few degrees of rotation, but not a crop (the frame moves) nor a photo
pasted into a screenshot (the frame is someone else's). So a fingerprint hashes *views*:

- ``full``: the whole picture;
- crops at 90 %, 85 % and 80 % of each side, each at nine anchors (``s90r0c0`` …
  ``s80r2c2``), and crops that cut one side more than the other (90 % across and 80 %
  down, and the reverse: ``a90x80r0c0`` …): a crop of up to 20 % lands within a few
  percent of one of them, on either side (the earlier or the later picture may be the
  cropped one). A gallery crop is seldom square to the frame: without the uneven views a
  crop of 10 % across and 20 % down was ~5 % off every square view, too far for the hash
  (dev half: 186/192 random crops found with the square views only, 189/192 with them);
- ``e0full``, ``e0s90r0c0`` …: a picture inside a screenshot (a photo in a chat bubble, a
  gallery view between bars), found by peeling the app's flat frame away
  (``embedded_regions``), hashed whole and in the square crops;
- ``box0`` … ``box2``: rectangles framed by straight edges (a photo in a chat bubble or a
  gallery, a receipt on a table). An app's screen with such a frame (a screenshot)
  keeps only ``full`` and its boxes: its crops are mostly the app's frame, which every
  screenshot of that app shares. A flat picture that is not an app's screen (a road sign,
  a scanned page with a box on it) keeps its crops like a photo.

Each view has a 64-bit hash (``key``: what the index looks up, see ``index.py``) and a
256-bit hash (``detail``: finer structure, what tells two receipts of the same shop or two
photos of the same phone model apart), both ImageHash's ``phash`` algorithm, on a 500-pixel
copy of the luminance. The ~50 views of a photo are averaged down from one summed-area
table of that copy and their DCTs taken as two matrix products for all of them (``phash.hashes``):
the same bits as one OpenCV resize and DCT per view, about 11 ms for a 960-px picture
instead of ~30 (the ~100 resizes were most of it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpdesk.media.authenticity import phash


# Views: name → (left, top, right, bottom) as fractions of the picture.
def _grid(shapes: tuple[tuple[int, int], ...]) -> dict[str, tuple[float, float, float, float]]:
    views = {"full": (0.0, 0.0, 1.0, 1.0)}
    for across, down in shapes:
        prefix = f"s{across}" if across == down else f"a{across}x{down}"
        for row in range(3):
            for col in range(3):
                left, top = col * (100 - across) / 200, row * (100 - down) / 200
                views[f"{prefix}r{row}c{col}"] = (
                    left,
                    top,
                    left + across / 100,
                    top + down / 100,
                )
    return views


# A picture inside a screenshot keeps the square crops only: up to three of them per
# screenshot, each with its own views, and the app's bubble crops it evenly anyway.
SQUARE_VIEWS = _grid(((90, 90), (85, 85), (80, 80)))
CROP_VIEWS = _grid(((90, 90), (85, 85), (80, 80), (90, 80), (80, 90)))
WORK_SIDE = 500
# A picture smaller than this on its short side has too little to hash reliably.
MIN_SIDE = 24
# Content boxes: a rectangle this share of the picture or more, mostly filled by its edges.
BOX_MIN_SHARE, BOX_MAX_SHARE, BOX_FILL = 0.05, 0.85, 0.8
MAX_BOXES = 3
# A picture inside a screenshot: at least this share of it.
EMBED_MIN_SHARE = 0.04
# Pictures kept from inside one screenshot (each is hashed whole and in 27 crops).
MAX_EMBEDDED = 3
DETECT_SIDE = 1000
RENDERED_FLAT = 0.3
# Share of exactly flat mid-tone pixels that makes a picture an app's screen (dev half:
# photos ≤ 0.06, a poster 0.5, chat screenshots ≥ 0.33).
INTERFACE_FLAT = 0.3
TURNS = (-3.5, 3.5)


@dataclass(frozen=True)
class ViewHash:
    view: str
    box: tuple[float, float, float, float]  # fractions of the picture (l, t, r, b)
    key: int  # 64-bit phash, unsigned
    detail: bytes  # 256-bit phash (32 bytes)

    def to_dict(self) -> dict[str, object]:
        return {
            "view": self.view,
            "box": [round(v, 3) for v in self.box],
            "key": f"{self.key:016x}",
            "detail": self.detail.hex(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ViewHash:
        box = tuple(float(v) for v in data["box"])  # type: ignore[union-attr]
        return cls(
            str(data["view"]),
            box,  # type: ignore[arg-type]
            int(str(data["key"]), 16),
            bytes.fromhex(str(data["detail"])),
        )


@dataclass(frozen=True)
class Fingerprint:
    views: tuple[ViewHash, ...]

    def to_dict(self) -> dict[str, object]:
        return {"views": [v.to_dict() for v in self.views]}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Fingerprint:
        return cls(tuple(ViewHash.from_dict(v) for v in data.get("views") or []))  # type: ignore[union-attr]


def fingerprint(grey: np.ndarray) -> Fingerprint | None:
    """The fingerprint of a luminance picture (HxW uint8, any size); None when it is too
    small or blank to say anything (a one-colour picture matches every other one)."""

    if grey.ndim != 2 or min(grey.shape) < MIN_SIDE:
        return None
    small = _shrink(grey)
    if _std(small) < 2.0:
        return None
    deviation = _local_variance(small)
    rendered = is_rendered(small, deviation)
    interface = rendered and is_interface(small, deviation)
    embedded = embedded_regions(_detail_copy(grey)) if interface else []
    found = content_boxes(small)
    # A screenshot's frame (bars, bubbles) is what two screenshots of one app share, so
    # crops of it would match other screenshots: hash the whole and what is inside frames.
    framed = bool(found and interface) or bool(embedded)
    boxes = {"full": CROP_VIEWS["full"]} if framed else dict(CROP_VIEWS)
    for index, box in enumerate(found):
        boxes[f"box{index}"] = box
    for index, region in enumerate(embedded):
        # A photo inside a screenshot is hashed like a photo (whole and crops): the app
        # may have cropped it to its bubble, and the region found may hold a margin.
        for name, view in SQUARE_VIEWS.items():
            boxes[f"e{index}{name}"] = _within(region, view)
    # Every view's hashes at once, from one summed-area table of the working copy (see
    # ``phash.hashes``).
    names, regions = [], []
    for name, box in boxes.items():
        bounds = _bounds(small.shape, box)
        if min(bounds[1] - bounds[0], bounds[3] - bounds[2]) < 8:
            continue
        names.append((name, box))
        regions.append(bounds)
    views = []
    if regions:
        keys, details = phash.hashes(small, regions, min_std=2.0)
        for (name, box), key, detail in zip(names, keys, details, strict=True):
            if key is not None and detail is not None:
                views.append(ViewHash(name, box, key, detail))
    if not framed:
        # A photo turned a few degrees (re-photographed, straightened in a gallery app)
        # moves every DCT coefficient; two turned copies of the whole cover ±2-5°.
        # One view each: two OpenCV resizes cost less than a summed-area table.
        for angle in TURNS:
            turned = _turn(small, angle)
            views.append(
                ViewHash(
                    f"turn{angle:+g}",
                    (0.0, 0.0, 1.0, 1.0),
                    phash.key(turned),
                    phash.detail(turned),
                )
            )
    return Fingerprint(tuple(views)) if views else None


def _turn(small: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    height, width = small.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(small, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0)


def _shrink(grey: np.ndarray) -> np.ndarray:
    """To WORK_SIDE on the long side: an integer-factor area reduction (OpenCV's fast path)
    then an area resize by the remaining factor (under 2, cheap)."""
    import cv2

    height, width = grey.shape
    factor = max(height, width) // WORK_SIDE
    if factor >= 2:
        grey = cv2.resize(grey, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
        height, width = grey.shape
    scale = WORK_SIDE / max(height, width)
    if scale >= 1:
        return np.ascontiguousarray(grey)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def _std(pixels: np.ndarray) -> float:
    import cv2

    return float(cv2.meanStdDev(np.ascontiguousarray(pixels))[1][0][0])


def _bounds(
    shape: tuple[int, ...], box: tuple[float, float, float, float]
) -> tuple[int, int, int, int]:
    """A view's pixel rows and columns (top, bottom, left, right) in the working copy."""
    height, width = shape[:2]
    left, top, right, bottom = box
    y0, x0 = round(top * height), round(left * width)
    return y0, max(round(bottom * height), y0 + 1), x0, max(round(right * width), x0 + 1)


def fingerprint_bytes(data: bytes, mime: str) -> Fingerprint | None:
    """Decode just enough of a file (JPEG: DCT-scaled to ~500 pixels) and fingerprint it."""
    from helpdesk.media.decode import load_image

    return fingerprint(load_image(data, mime, long_side=WORK_SIDE).grey)


def content_boxes(small: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Rectangles framed by straight edges inside the picture (a photo in a chat bubble or
    a gallery, a receipt on a table), largest first, as fractions, slightly shrunk so that
    the frame's own border is left out."""
    import cv2

    height, width = small.shape
    edges = cv2.dilate(cv2.Canny(small, 40, 120), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[float, tuple[float, float, float, float]]] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        share = (w * h) / (width * height)
        if not BOX_MIN_SHARE <= share <= BOX_MAX_SHARE or min(w / width, h / height) < 0.15:
            continue
        if cv2.contourArea(contour) < BOX_FILL * w * h:
            continue  # not a rectangle: an object's outline
        inset_x, inset_y = 0.02 * w, 0.02 * h
        box = (
            (x + inset_x) / width,
            (y + inset_y) / height,
            (x + w - inset_x) / width,
            (y + h - inset_y) / height,
        )
        if all(_overlap(box, other) < 0.9 for _, other in found):
            found.append((share, box))
    found.sort(reverse=True)
    return [box for _, box in found[:MAX_BOXES]]


def _within(
    outer: tuple[float, float, float, float], inner: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    left, top, right, bottom = outer
    width, height = right - left, bottom - top
    return (
        left + inner[0] * width,
        top + inner[1] * height,
        left + inner[2] * width,
        top + inner[3] * height,
    )


def _detail_copy(grey: np.ndarray) -> np.ndarray:
    """At most ``DETECT_SIDE`` on the long side: at the hashing size a chat's bubbles
    blur into one another, at this one the gaps between them are still there."""
    import cv2

    height, width = grey.shape
    scale = DETECT_SIDE / max(height, width)
    if scale >= 1:
        return grey
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def _flat(small: np.ndarray) -> np.ndarray:
    """Pixels whose 3x3 neighbourhood is one value: a rendered interface, never a photo's
    noise (a photo resampled into a screenshot keeps its texture)."""
    import cv2

    pixels = small.astype(np.float32)
    mean = cv2.blur(pixels, (3, 3))
    return (cv2.blur(pixels * pixels, (3, 3)) - mean * mean) < 0.5


def embedded_regions(small: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Pictures inside a screenshot (a photo in a chat bubble, a gallery view between
    bars), as fractions, innermost first.

    Peeled like an onion: the flat areas of one colour that touch a frame's edge (the
    app's background, then a bubble's fill) are taken away, and each solid block that
    remains is a region; inside it the same is done again, so a bubble gives the photo
    it holds. Up to ``MAX_EMBEDDED``."""
    import cv2

    height, width = small.shape
    count, labels = cv2.connectedComponents(_flat(small).astype(np.uint8), connectivity=8)
    found: list[tuple[int, tuple[int, int, int, int]]] = []

    def peel(box: tuple[int, int, int, int], depth: int) -> None:
        x0, y0, x1, y1 = box
        inside = labels[y0:y1, x0:x1]
        band = max(2, round(0.03 * min(x1 - x0, y1 - y0)))
        sides = (inside[:band], inside[-band:], inside[:, :band], inside[:, -band:])
        edge = np.concatenate([side.ravel() for side in sides])
        outer = np.zeros(count, dtype=bool)
        outer[edge[edge > 0]] = True
        rest = (~outer[inside]).astype(np.uint8)
        rest[:band], rest[-band:], rest[:, :band], rest[:, -band:] = 0, 0, 0, 0
        parts, _, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
        for index in range(1, parts):
            x, y, w, h, area = (int(v) for v in stats[index])
            if w * h < EMBED_MIN_SHARE * width * height or min(w / width, h / height) < 0.15:
                continue
            if area < 0.5 * w * h or (w, h) == (x1 - x0 - 2 * band, y1 - y0 - 2 * band):
                continue  # an outline, or the whole frame again
            region = (x0 + x, y0 + y, x0 + x + w, y0 + y + h)
            found.append((depth, region))
            if depth < 3:
                peel(region, depth + 1)

    peel((0, 0, width, height), 1)
    boxes: list[tuple[float, float, float, float]] = []
    for _, (x0, y0, x1, y1) in sorted(found, key=lambda f: -f[0]):
        box = (x0 / width, y0 / height, x1 / width, y1 / height)
        if all(_overlap(box, other) < 0.9 or _ratio(box, other) < 0.8 for other in boxes):
            boxes.append(box)
    return boxes[:MAX_EMBEDDED]


def _ratio(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    first, second = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
    return min(first, second) / max(first, second, 1e-9)


def _local_variance(small: np.ndarray) -> np.ndarray:
    """Variance of each pixel's 5x5 neighbourhood (what ``is_rendered`` and
    ``is_interface`` both read)."""
    import cv2

    pixels = small.astype(np.float32)
    mean = cv2.blur(pixels, (5, 5))
    return cv2.blur(pixels * pixels, (5, 5)) - mean * mean


def is_interface(small: np.ndarray, deviation: np.ndarray | None = None) -> bool:
    """An app's screen: flat areas in mid tones (backgrounds, bars, bubbles). A dark or
    overexposed photo is flat too, but only where it is clipped to black or white."""
    if deviation is None:
        deviation = _local_variance(small)
    # Exactly one value, not merely smooth: a soft photo (a wall, a gradient) at this size
    # varies by a fraction of a level, an interface's fill by nothing.
    flat = deviation < 0.1
    mid = (small > 8) & (small < 247)
    return float((flat & mid).mean()) >= INTERFACE_FLAT


def is_rendered(small: np.ndarray, deviation: np.ndarray | None = None) -> bool:
    """A screenshot or a rendering: large areas of exactly one value, which a camera's
    noise never leaves."""
    if deviation is None:
        deviation = _local_variance(small)
    return float((deviation < 0.5).mean()) >= RENDERED_FLAT


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def hamming_bytes(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()
