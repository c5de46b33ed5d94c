"""A region of a JPEG that was compressed apart from the rest (a pasted amount, a pasted
photo): its own earlier JPEG save is still readable on a block grid that is not the
picture's.

Method: non-aligned double JPEG (NA-DJPG) detection, after Bianchi and Piva, "Image
forgery localization via block-grained analysis of JPEG artifacts" (IEEE TIFS 7(3),
2012) and Barni, Costanzo and Sabatini, "Identification of cut & paste tampering by means
of double-JPEG detection and image segmentation" (ISCAS 2010). A JPEG save rounds every
8x8 block's DCT coefficients to multiples of the quantisation table. A region cut from
another JPEG keeps that lattice on *its* grid; pasted at a pixel position chosen by hand,
that grid is shifted from the picture's 63 times in 64, and the final save (with the
picture's own tables or others) rounds on the picture's grid only, which blurs but does not
erase the region's lattice when the final save is finer than the region's earlier one. An
untouched picture re-saved whole any number of times has all its lattices on one grid.

So, for every grid shift other than the picture's and for a few standard (libjpeg) tables,
the DCT coefficients of every block on that grid are tested for lying on the table's
lattice (the circular mean of coefficient/step, the test of periodicity the papers above
build on); windows of blocks where one shifted lattice stands out, touching each other and
agreeing on the shift, make a region. Only low frequencies are used: their steps are the
largest and survive the final save best.

Why not error-level analysis or JPEG ghosts: an ELA map (re-save at one quality, look at
the difference) shows edges and texture as much as edits and needs an expert to read it;
a JPEG ghost (Farid, "Exposing digital forgeries from JPEG ghosts", IEEE TIFS 4(1), 2009)
only shows when the pasted region sits on the picture's grid, or costs 64 shifts x every
quality of re-compressions.

Status (measured; not wired into ``check.inspect``): on the paste set
(tests/helpdesk/media/authenticity/pasteset.py, real pictures of tests/data/media-dev)
the calibration half gives 0 % false flags (0/76) and finds 13 % of the pastes saved with
the picture's own tables, 0 % of those re-saved at another quality. The held-out half
flagged 5 % of untouched files (5/100) until ``history_score``: four were copies of one
blurred street photo (blur_nafnet_demo_blurry.jpg) whose smooth road carries a quality-50
lattice 4 px across, the picture's own history (a crop after an earlier save) readable
only where it is smooth; the same lattice stands 13-14 standard deviations above chance
in the rest of that picture, a paste's at most 3.2 on the calibration half, and 5.0 was
chosen as the limit before the held-out half was measured. Now the held-out half flags
1 % (1/100: a sign photo re-saved once, its lattice 4.0 deviations above chance outside,
under the limit) and finds 4-8 % of the pastes (finer 1/25, keep 3/50, requality 2/25).
It costs ~1 s of CPU per megapixel. Left unwired because few pastes are found for that
cost on every JPEG. Measured again (authn6) on a digit of a real receipt covered by
another digit of the same receipt and saved again (tests/helpdesk/media/authenticity/
measure_glyphs.py): 0 of 28 found, 1 of 88 untouched pictures flagged, 0.6 s of CPU per
megapixel; the receipts were saved at quality 90-100 and the edit at 90, a final save
coarser than the earlier one, which is this method's blind spot. Documents only would not
help: a file sent as a document is the full-size original (12 MP: ~7-12 s of CPU on the
two cores). Still unwired; what is missing: per-frequency step estimation instead of the libjpeg
hypotheses, and a cheaper trigonometry (a table).

Blind spots, said so the agent does not over-trust silence: a paste that sits on the
picture's grid (1 in 64), a region saved at a finer or similar quality than the final save,
a region resized after it was cut (resampling wipes its lattice), a region from a PNG
(never a JPEG), and tables that are not libjpeg's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from helpdesk.media.authenticity.provenance import IJG_LUMINANCE
from helpdesk.media.authenticity.signals import Code, Severity, Signal

BLOCK = 8
# (vertical, horizontal) frequencies tested: the lowest ones, whose steps are largest.
FREQUENCIES = ((0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (1, 2), (2, 1))
# Earlier saves hypothesised: libjpeg qualities (what editors, converters and most apps
# use); a region saved at 50-85 and a final save finer than it is the case covered.
QUALITIES = (50, 60, 70, 80)
WINDOW = 6  # blocks per side of a window (48 px)
MIN_VALUES = 40  # coefficients off zero in a window; fewer: too flat to test
# Calibrated on the calibration half of tests/helpdesk/media/authenticity/pasteset.py
# (calibrate_compression.py); the held-out half is only measured.
COHERENCE_MIN = 0.55
MIN_WINDOWS = 20
# The region must be this many times larger than any other shifted region of the picture:
# printed halftone, binarised scans and dark noise give chance lattices all over a picture
# (dozens of small regions on some real receipts); a paste gives one that stands out.
ISOLATION = 3.0
# A region whose lattice stands this many standard deviations above chance in the rest of
# the picture is the picture's own history (``history_score``); chosen on the calibration
# half before the held-out half was measured: its pastes scored -2.3 to 3.2.
PICTURE_WIDE_Z = 5.0
# No untouched file of the calibration half had a region near this size.
STRONG_WINDOWS = 150
# A shifted lattice over more than this share of the windows is the whole picture's (a
# picture cropped after a save carries its old grid everywhere), not a pasted region's.
PICTURE_WIDE = 0.05
MAX_PIXELS = 6_000_000  # a larger file (a camera photo) is not a screenshot or e-receipt


@dataclass(frozen=True)
class GridRegion:
    box: tuple[int, int, int, int]  # pixels of the stored picture: left, top, right, bottom
    shift: tuple[int, int]  # the region's grid against the picture's (across, down)
    quality: int  # the libjpeg quality whose lattice it carries
    windows: int
    coherence: float


def _dct_basis() -> np.ndarray:
    k = np.arange(BLOCK)
    basis = np.sqrt(2 / BLOCK) * np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * BLOCK))
    basis[0] /= np.sqrt(2)
    return basis.astype(np.float32)


def _steps(quality: int) -> list[float]:
    scale = 5000 // quality if quality < 50 else 200 - quality * 2
    return [
        float(min(255, max(1, (IJG_LUMINANCE[u * 8 + v] * scale + 50) // 100)))
        for u, v in FREQUENCIES
    ]


def luminance(data: bytes) -> tuple[np.ndarray, int] | None:
    """The JPEG's luminance at full size as stored (no EXIF turn: the grid lives in the
    stored orientation) and its EXIF orientation; None for anything that is not a JPEG
    this check reads."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS or min(width, height) < WINDOW * BLOCK * 2:
                return None
            orientation = int(image.getexif().get(0x0112, 1) or 1)
            if image.mode in ("RGB", "YCbCr"):
                image.draft("L", image.size)  # libjpeg skips the colour planes
            return np.asarray(image.convert("L"), dtype=np.float32), orientation
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def _coefficients(grey: np.ndarray) -> np.ndarray:
    """The tested DCT coefficients of the 8x8 block starting at every pixel:
    (frequencies, H-7, W-7) (one correlation per frequency, every grid at once)."""
    import cv2

    basis = _dct_basis()
    height, width = grey.shape
    out = np.empty((len(FREQUENCIES), height - BLOCK + 1, width - BLOCK + 1), np.float32)
    for index, (u, v) in enumerate(FREQUENCIES):
        kernel = np.outer(basis[u], basis[v])
        full = cv2.filter2D(grey, cv2.CV_32F, kernel, anchor=(0, 0))
        out[index] = full[: height - BLOCK + 1, : width - BLOCK + 1]
    return out


def _box_sum(values: np.ndarray) -> np.ndarray:
    """Sums over every WINDOW x WINDOW group of blocks (last two axes, stride 1)."""
    total = np.pad(values.cumsum(-2).cumsum(-1), [(0, 0)] * (values.ndim - 2) + [(1, 0), (1, 0)])
    w = WINDOW
    return total[..., w:, w:] - total[..., :-w, w:] - total[..., w:, :-w] + total[..., :-w, :-w]


def grid_regions(grey: np.ndarray) -> list[GridRegion]:
    """Regions whose lattice sits on a grid other than the picture's, largest first (all
    of them, from one window: ``inspect_jpeg`` keeps a large one that stands out)."""
    return regions_of(*lattice_map(grey), min_windows=1)


def lattice_map(
    grey: np.ndarray, coefficients: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per window of blocks: the best coherence of a shifted lattice, and its label
    (quality * 100 + down * 8 + across; -1: none)."""
    if coefficients is None:
        coefficients = _coefficients(grey)
    rows, cols = (grey.shape[0] // BLOCK) - 1, (grey.shape[1] // BLOCK) - 1
    # Best (coherence) per window, on the picture's block raster (window (i, j) starts
    # near block (i, j) of the picture's grid), and the shift / quality that gave it.
    best = np.zeros((rows - WINDOW + 1, cols - WINDOW + 1), np.float32)
    label = np.full(best.shape, -1, np.int32)
    if min(best.shape) < 1:
        return best, label
    for quality in QUALITIES:
        for down in range(BLOCK):
            for across in range(BLOCK):
                if (across, down) == (0, 0):
                    continue  # the picture's own grid: every save's lattice is there
                coherence, count = shift_coherence(coefficients, rows, cols, quality, down, across)
                coherence[count < MIN_VALUES] = 0
                better = coherence > best
                best[better] = coherence[better]
                label[better] = (quality * 100) + down * BLOCK + across
    return best, label


def shift_coherence(
    coefficients: np.ndarray, rows: int, cols: int, quality: int, down: int, across: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per window: how well the blocks on one shifted grid sit on one quality's lattice
    (0-1), and how many coefficients off zero that says it from."""
    steps = np.array(_steps(quality), np.float32)[:, None, None]
    sampled = coefficients[:, down::BLOCK, across::BLOCK][:, :rows, :cols]
    ratio = sampled / steps
    # Coefficients rounded to zero say nothing about the step; the rest sit near whole
    # multiples of it on the grid they were rounded on.
    used = (np.abs(ratio) >= 0.5).astype(np.float32)
    angle = 2 * np.pi * ratio
    cos = _box_sum((np.cos(angle) * used).sum(0))
    sin = _box_sum((np.sin(angle) * used).sum(0))
    count = _box_sum(used.sum(0))
    return np.hypot(cos, sin) / np.maximum(count, 1), count


def regions_of(
    best: np.ndarray,
    label: np.ndarray,
    *,
    threshold: float = COHERENCE_MIN,
    min_windows: int = MIN_WINDOWS,
) -> list[GridRegion]:
    import cv2

    odd = best >= threshold
    found: list[GridRegion] = []
    values, counts = np.unique(label[odd], return_counts=True)
    for value, spread in zip(values, counts, strict=True):
        if spread > PICTURE_WIDE * odd.size:
            continue  # all over the picture: its own history (cropped after a save), not a paste
        mask = (odd & (label == value)).astype(np.uint8)
        count, parts, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for index in range(1, count):
            windows = int(stats[index, cv2.CC_STAT_AREA])
            if windows < min_windows:
                continue
            x, y = int(stats[index, cv2.CC_STAT_LEFT]), int(stats[index, cv2.CC_STAT_TOP])
            w, h = int(stats[index, cv2.CC_STAT_WIDTH]), int(stats[index, cv2.CC_STAT_HEIGHT])
            box = (x * BLOCK, y * BLOCK, (x + w + WINDOW) * BLOCK, (y + h + WINDOW) * BLOCK)
            shift = int(value % 100)
            found.append(
                GridRegion(
                    box,
                    (shift % BLOCK, shift // BLOCK),
                    int(value // 100),
                    windows,
                    float(best[parts == index].mean()),
                )
            )
    found.sort(key=lambda r: (-r.windows, -r.coherence))
    return found


def inspect_jpeg(data: bytes) -> list[Signal]:
    """The ``double_compression`` signal for a JPEG with a region on another grid."""
    loaded = luminance(data)
    if loaded is None:
        return []
    grey, orientation = loaded
    coefficients = _coefficients(grey)
    regions = regions_of(*lattice_map(grey, coefficients), min_windows=1)
    if not regions:
        return []
    region = regions[0]
    others = [r.windows for r in regions[1:] if r.box != region.box]
    if region.windows < MIN_WINDOWS or region.windows < ISOLATION * max(others, default=0):
        return []
    if history_score(coefficients, grey.shape, region) >= PICTURE_WIDE_Z:
        return []  # the whole picture's earlier save, not a paste
    height, width = grey.shape
    left, top, right, bottom = _shown(region.box, (width, height), orientation)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    severity = Severity.STRONG if region.windows >= STRONG_WINDOWS else Severity.NOTABLE
    share = (right - left) * (bottom - top) / (width * height)
    return [
        Signal(
            Code.DOUBLE_COMPRESSION,
            severity,
            f"A region of this picture (highlighted, {share:.0%} of it) still carries the "
            f"traces of an earlier JPEG save (about quality {region.quality}) on a block "
            f"grid {region.shift[0]} px across and {region.shift[1]} px down from the rest "
            "of the picture's: it was most likely cut from another picture and pasted in. "
            "Compare what it shows (an amount, a date, damage) with your own records, or "
            "ask for the original file; a sticker or an app's overlay can do this too.",
            {
                "grid_shift": list(region.shift),
                "earlier_quality": region.quality,
                "windows": region.windows,
                "coherence": round(region.coherence, 2),
            },
            region=(
                round(left / width, 4),
                round(top / height, 4),
                round(min(right, width) / width, 4),
                round(min(bottom, height) / height, 4),
            ),
        )
    ]


def history_score(coefficients: np.ndarray, shape: tuple[int, ...], region: GridRegion) -> float:
    """How far the region's lattice (its grid and quality) stands out in the *rest* of
    the picture, against the picture's other shifted grids, in standard deviations.

    A picture saved, then cropped, carries its old lattice everywhere, clearly only where
    it is smooth (a road, a sky): there the region looks like a paste, but the same
    lattice is still above chance all around it. A pasted region's lattice is at chance
    outside it."""
    rows, cols = shape[0] // BLOCK - 1, shape[1] // BLOCK - 1
    across, down = region.shift
    coherence, count = shift_coherence(coefficients, rows, cols, region.quality, down, across)
    left, top, right, bottom = region.box
    y, x = np.mgrid[0 : coherence.shape[0], 0 : coherence.shape[1]]
    inside = ~(
        ((x + WINDOW) * BLOCK <= left)
        | (x * BLOCK >= right)
        | ((y + WINDOW) * BLOCK <= top)
        | (y * BLOCK >= bottom)
    )
    outside = ~inside & (count >= MIN_VALUES)
    if outside.sum() < MIN_WINDOWS:
        return 0.0  # too little of the picture left to say
    others = [
        float(shift_coherence(coefficients, rows, cols, region.quality, d, a)[0][outside].mean())
        for d in range(BLOCK)
        for a in range(BLOCK)
        if (a, d) not in ((0, 0), (across, down))
    ]
    spread = float(np.std(others))
    return (float(coherence[outside].mean()) - float(np.mean(others))) / max(spread, 1e-6)


# EXIF orientation → the Pillow transpose that shows the picture upright.
_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE"}
_TRANSPOSE |= {6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


def _shown(
    box: tuple[int, int, int, int], size: tuple[int, int], orientation: int
) -> tuple[int, int, int, int]:
    """The stored picture's box where it is on the picture as shown (EXIF orientation)."""
    from PIL import Image

    method = _TRANSPOSE.get(orientation)
    if method is None:
        return box
    mask = Image.new("L", size, 0)
    mask.paste(255, (box[0], box[1], min(box[2], size[0]), min(box[3], size[1])))
    return mask.transpose(getattr(Image.Transpose, method)).getbbox() or box
