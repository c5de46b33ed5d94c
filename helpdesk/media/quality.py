"""Image quality measures on the working-size grey image, and the reasoning behind each limit.

Every measure runs on the picture scaled so that its long side is
``limits.WORK_LONG_SIDE`` (960 px), roughly what a phone screen shows of it. That choice is
what makes the measures comparable across cameras: a 48-MP and a 2-MP photo of the same
scene give the same numbers, and "blurry" means blurry as the customer and the agent see it.

The limits below come from how phone cameras expose and how the product uses the picture,
not from the test fixtures; each one says why. The sharpness measures (noise, blur, motion
blur) and their limits are in helpdesk/media/sharpness.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpdesk.media.sharpness import (
    ANISOTROPY_LIMIT,
    ANISOTROPY_MIN_BLUR_PX,
    DIRECTIONAL_BLUR_PX,
    blur_cues,
    estimate_noise,
)

# --- exposure (grey levels 0..255, sRGB-encoded as phones store them) ---
# Auto-exposure puts a normal scene's median near mid-grey (~110-130) and its highlights
# (95th percentile) above ~170. A photo whose median is below 45 *and* whose brightest
# parts stay below 110 is at least ~2 stops under: the camera ran out of light and detail
# is lost in noise. Between that and median 70 / p95 150 it is dim but usable (warning).
DARK_MEDIAN, DARK_P95 = 45, 110
# A night scene with a lamp or a lit window in it has bright highlights (p95 well above
# 110) and is still too dark where it matters: three quarters of the frame below level 60
# with the median under 45 is a dark photo whatever its light sources do.
DARK_P75 = 60
DIM_MEDIAN, DIM_P95 = 70, 150
# Washed out: more than half of the frame clipped to pure white (≥ 250), or nearly all of
# it above 245 with nothing darker than 200 in the darkest 5 %: the flash or the sun blew
# the scene out. White paper or a white label filling the frame is exposed by phones to
# about 215-240 and is not "too bright"; its text may cover under 5 % of the frame, so the
# dark-content test cannot be stricter than that.
CLIPPED_LEVEL = 250
CLIPPED_FRACTION = 0.5
BRIGHT_MEDIAN, BRIGHT_P05 = 245, 200
# ...unless dark detail is still crisp in it: a printed page or a receipt photographed in
# good light is mostly pure white yet holds black ink with sharp edges (range of 150+
# levels, edges under 1 px). An over-exposed photo loses exactly that.
INK_RANGE, INK_MAX_BLUR_PX = 150, 1.0

# --- contrast ---
# Spread between the 2nd and 98th percentiles. A fogged lens or a photo through a plastic
# bag compresses a normal scene (range > 150) into a narrow band; below 40 levels text and
# scratches disappear.
LOW_CONTRAST_RANGE = 40

# --- glare ---
# A specular reflection is a solid blob of clipped pixels (≥ 245, no holes: a lit screen or a
# white page has writing in it) between 0.4 % and 25 % of the frame (smaller is a sparkle,
# larger is a white object), on a surface that is not itself white: beyond the reflection's
# halo (15-40 px away at the working size) the median is below 215, and the picture's
# median is below 200.
GLARE_LEVEL = 245
GLARE_MIN_BLOB, GLARE_MAX_BLOB = 0.004, 0.25
GLARE_SOLIDITY = 0.92
GLARE_SURROUND, GLARE_SCENE = 215, 200
GLARE_FRACTION = 0.01  # total glare area that hides part of a label or screen

# --- digital images (screenshots, rendered PDFs, e-receipts) ---
# A camera frame is never exactly flat: sensor noise leaves neighbouring pixels a level or
# two apart. Screens are made of flat areas. If more than 30 % of the mid-tone pixels have
# a perfectly flat 3x3 neighbourhood, the picture was made by software, and camera problems
# (exposure, blur, glare) do not apply to it. Software also draws razor-sharp edges (text
# and UI measure 0.0-0.2 px, even after WhatsApp's JPEG re-encoding), while the sharpest
# phone photos measure 0.5-1.0 px at the working size; and a camera picture can look flat
# where a smooth wall was averaged down to 960 px. So flatness only counts with edges
# sharper than DIGITAL_MAX_BLUR_PX.
# Apps paint near-white backgrounds (#FAFAFA is level 250, #F8F8F8 248) that the mid-tone
# range above leaves out, and a text-only screen on one has few flat mid-tone pixels: its
# text's anti-aliased edges, thinned by the averaging down to 960 px, are most of them (the
# bench's 1080x2400 payment screen: 0 % flat). Its background stays exactly flat at any
# scale, so the same share is also taken over every level up to DIGITAL_TOP; a camera's
# highlights that flat are clipped, at 253-255. On the dev set's photos and scans the
# share stays at or below 0.37 either way (0.37: a rendered road sign already judged
# digital); it takes either share above DIGITAL_FLAT_FRACTION.
DIGITAL_FLAT_FRACTION = 0.3
DIGITAL_MAX_BLUR_PX = 0.4
DIGITAL_TOP = 252


@dataclass
class Measures:
    width: int
    height: int
    brightness: float  # mean, 0..1
    median: float
    p05: float
    p95: float
    clipped_fraction: float
    dark_fraction: float
    contrast_range: float
    blur: float  # estimated edge blur sigma, px at the working size
    noise: float
    glare_fraction: float
    digital: bool
    detail: bool  # the picture has edges to judge sharpness by
    directional_blur: float = 0.0  # blur of the most blurred edge orientation, px
    anisotropy: float = 1.0  # structure-tensor eigenvalue ratio of fine gradients
    p75: float = 0.0

    @property
    def motion_blurred(self) -> bool:
        """Blurry along one direction (see DIRECTIONAL_BLUR_PX and ANISOTROPY_LIMIT)."""
        return self.directional_blur >= DIRECTIONAL_BLUR_PX or (
            self.anisotropy >= ANISOTROPY_LIMIT and self.directional_blur >= ANISOTROPY_MIN_BLUR_PX
        )

    def as_metrics(self) -> dict[str, float | int | bool]:
        return {
            "width": self.width,
            "height": self.height,
            "megapixels": round(self.width * self.height / 1e6, 2),
            "brightness": round(self.brightness, 3),
            "median_level": round(self.median, 1),
            "p05_level": round(self.p05, 1),
            "p95_level": round(self.p95, 1),
            "clipped_fraction": round(self.clipped_fraction, 4),
            "dark_fraction": round(self.dark_fraction, 4),
            "contrast_range": round(self.contrast_range, 1),
            "blur_px": round(self.blur, 2),
            "directional_blur_px": round(self.directional_blur, 2),
            "anisotropy": round(self.anisotropy, 2),
            "p75_level": round(self.p75, 1),
            "noise": round(self.noise, 2),
            "glare_fraction": round(self.glare_fraction, 4),
            "digital": self.digital,
        }


def measure(grey: np.ndarray, *, width: int, height: int) -> Measures:
    """All measures of one working-size grey picture (``width``/``height``: original size)."""
    # One histogram gives the percentiles, the mean and the clipped and dark shares: the
    # same integer counts the per-pixel passes gave, so the figures are exactly the same.
    histogram = _histogram(grey)
    levels = _percentiles_of(histogram, grey.size, (2, 5, 50, 95, 98, 75))
    noise = estimate_noise(grey)
    blur, detail, directional, anisotropy = blur_cues(grey, noise=noise)
    total = int(np.dot(histogram, np.arange(256, dtype=np.int64)))
    return Measures(
        width=width,
        height=height,
        brightness=total / grey.size / 255.0,
        median=float(levels[2]),
        p05=float(levels[1]),
        p95=float(levels[3]),
        clipped_fraction=float(histogram[CLIPPED_LEVEL:].sum()) / grey.size,
        dark_fraction=float(histogram[:21].sum()) / grey.size,
        contrast_range=float(levels[4] - levels[0]),
        blur=blur,
        noise=noise,
        glare_fraction=glare_fraction(grey),
        digital=blur < DIGITAL_MAX_BLUR_PX and is_digital(grey),
        detail=detail,
        directional_blur=directional,
        anisotropy=anisotropy,
        p75=float(levels[5]),
    )


def percentiles(grey: np.ndarray, points: tuple[float, ...]) -> list[float]:
    """Grey-level percentiles from the histogram (exact for 8-bit, much faster than sort)."""
    return _percentiles_of(_histogram(grey), grey.size, points)


def _histogram(grey: np.ndarray) -> np.ndarray:
    """Counts of the 256 grey levels (int64)."""
    import cv2

    # OpenCV's histogram is several times faster than np.bincount (which first widens every
    # pixel to int64); its float32 counts are exact below 2**24 pixels.
    if grey.dtype == np.uint8 and grey.ndim == 2 and 0 < grey.size < 1 << 24:
        counts = cv2.calcHist([np.ascontiguousarray(grey)], [0], None, [256], [0, 256])
        return counts.ravel().astype(np.int64)
    return np.bincount(grey.ravel(), minlength=256)


def _percentiles_of(histogram: np.ndarray, size: int, points: tuple[float, ...]) -> list[float]:
    cumulative = np.cumsum(histogram) / max(1, size)
    return [float(np.searchsorted(cumulative, p / 100.0)) for p in points]


def glare_fraction(grey: np.ndarray) -> float:
    """Share of the frame covered by specular reflections (see the constants above)."""
    import cv2

    mask = (grey >= GLARE_LEVEL).astype(np.uint8)
    if not mask.any() or percentiles(grey, (50,))[0] >= GLARE_SCENE:
        return 0.0
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    total = grey.size
    near = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (31, 31))
    far = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (81, 81))
    glare = 0
    for index in range(1, count):
        area = int(stats[index, cv2.CC_STAT_AREA])
        if not GLARE_MIN_BLOB <= area / total <= GLARE_MAX_BLOB:
            continue
        x, y, w, h = (int(v) for v in stats[index, :4])
        pad = 45
        y0, y1 = max(0, y - pad), min(grey.shape[0], y + h + pad)
        x0, x1 = max(0, x - pad), min(grey.shape[1], x + w + pad)
        blob = (labels[y0:y1, x0:x1] == index).astype(np.uint8)
        filled = np.zeros_like(blob)
        contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(filled, contours, -1, 1, thickness=-1)
        if area / max(1, int(filled.sum())) < GLARE_SOLIDITY:
            continue
        ring = cv2.dilate(filled, far).astype(bool) & ~cv2.dilate(filled, near).astype(bool)
        around = grey[y0:y1, x0:x1][ring]
        if around.size and float(np.median(around)) < GLARE_SURROUND:
            glare += area
    return glare / total


def is_digital(grey: np.ndarray) -> bool:
    """True for screenshots and rendered documents (see DIGITAL_FLAT_FRACTION)."""
    import cv2

    mid = (grey >= 8) & (grey <= 247)
    if mid.sum() < grey.size * 0.05:
        # Almost only pure black and pure white (a rendered page or a bilevel screenshot;
        # a camera never produces that). A frame that is all black is a dark photo; one
        # that is all white has no sharp edges, and the caller requires them.
        black = np.count_nonzero(grey < 8) / grey.size
        return black < 0.98
    low = cv2.erode(grey, np.ones((3, 3), np.uint8))
    high = cv2.dilate(grey, np.ones((3, 3), np.uint8))
    flat = high == low
    if float((flat & mid).sum()) / float(mid.sum()) > DIGITAL_FLAT_FRACTION:
        return True
    unclipped = (grey >= 8) & (grey <= DIGITAL_TOP)
    share = np.count_nonzero(flat & unclipped) / max(1, np.count_nonzero(unclipped))
    return share > DIGITAL_FLAT_FRACTION
