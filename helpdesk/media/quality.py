"""Image quality measures on the working-size grey image, and the reasoning behind each limit.

Every measure runs on the picture scaled so that its long side is
``limits.WORK_LONG_SIDE`` (960 px), roughly what a phone screen shows of it. That choice is
what makes the measures comparable across cameras: a 48-MP and a 2-MP photo of the same
scene give the same numbers, and "blurry" means blurry as the customer and the agent see it.

The limits below come from how phone cameras expose and how the product uses the picture,
not from the test fixtures; each one says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

# --- blur: the estimated blur radius of edges, in pixels at the working size ---
# Hu & de Haan's re-blur estimator: blurring an edge of blur sigma with two known Gaussians
# (1 and 2 px) changes its gradient by a ratio that depends only on sigma, so the estimate
# is independent of contrast and exposure; the expected noise energy is subtracted from
# both gradients, so grain does not pass for detail (a noisy blurred photo stays blurry).
# It is taken per direction (motion blur smears one direction only) and on the sharpest
# quarter of the picture's detailed tiles, because a close-up with the background out of
# focus is a good photo.
# Limits: at 960 px across, an edge spread of sigma 2.0 px is ~8 px on a 12-MP original:
# 2-mm print at 30 cm is then unreadable and a hairline crack vanishes (error). From 1.4 px
# a phone screen shows visible softness (warning). Sharp phone photos measure 0.5-1.0 px.
# Thin strokes (small text) read ~0.8 px lower than step edges of the same blur, which
# keeps the verdict lenient for text; OCR's own "no readable text" check covers the rest.
BLUR_WARNING_PX, BLUR_ERROR_PX = 1.4, 2.0
# Motion blur (a moving hand, a moving subject) smears edges along one direction only, so a
# sharpest-region estimate can look fine. Two more cues catch it, both measured on all the
# picture's edges grouped by orientation (8 bins of 22.5 degrees):
# - the blur of the most blurred orientation: sharp photos and photographed text on the dev
#   set's calibration half stay at or below 1.65 px, motion-blurred frames reach 2.3-3.1 px;
# - the anisotropy of fine gradient energy (ratio of the structure tensor's eigenvalues):
#   natural and man-made scenes stay under 2.3 (stripes, facades), a smeared frame is above
#   3.9 because detail across the motion is gone. It counts only with some blur along the
#   worst orientation, so a sharp picture of stripes is not blurry.
DIRECTIONAL_BLUR_PX = 2.0
ANISOTROPY_LIMIT, ANISOTROPY_MIN_BLUR_PX = 2.8, 1.2
ORIENTATION_BINS = 8
TILE = 120
MIN_TILE_EDGES = 40  # edge pixels a tile needs for its blur to count
_SIGMA_A, _SIGMA_B = 1.0, 2.0

# --- noise ---
# Estimated with Immerkær's method (grey levels); reported, and subtracted in the blur
# estimate above.

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


def estimate_noise(grey: np.ndarray) -> float:
    """Immerkær (1996) fast noise variance estimate: sigma in grey levels."""
    import cv2

    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
    response = cv2.filter2D(grey.astype(np.float32), -1, kernel, borderType=cv2.BORDER_REFLECT)
    height, width = grey.shape
    if height < 3 or width < 3:
        return 0.0
    total = float(np.abs(response[1:-1, 1:-1]).sum())
    return total * np.sqrt(0.5 * np.pi) / (6.0 * (width - 2) * (height - 2))


def _gradient_energy(image: np.ndarray, sigma: float) -> tuple[np.ndarray, ...]:
    import cv2

    smooth = cv2.GaussianBlur(image, (0, 0), sigma)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    return gx * gx + gy * gy, gx, gy, smooth


_noise_gain: dict[float, float] = {}


def _noise_energy_per_variance(sigma: float) -> float:
    """Mean gradient energy that unit white noise leaves after smoothing with ``sigma``."""
    if sigma not in _noise_gain:
        noise = np.random.default_rng(0).normal(0.0, 1.0, (256, 256)).astype(np.float32)
        energy = _gradient_energy(noise, sigma)[0]
        _noise_gain[sigma] = float(energy[8:-8, 8:-8].mean())
    return _noise_gain[sigma]


def blur_score(grey: np.ndarray, *, noise: float) -> tuple[float, bool]:
    """Estimated edge blur sigma (px at working size) of the sharpest detailed region, and
    whether the picture had edges to judge (a blank wall has none)."""
    blur, detail, _, _ = blur_cues(grey, noise=noise)
    return blur, detail


def _anisotropy(gx: np.ndarray, gy: np.ndarray) -> float:
    """Structure-tensor eigenvalue ratio of the fine (sigma 1) gradients."""
    import cv2

    # OpenCV sums the squares in double precision without a temporary per product;
    # 2 xy = |gx + gy|² - xx - yy.
    xx, yy = cv2.norm(gx, cv2.NORM_L2SQR), cv2.norm(gy, cv2.NORM_L2SQR)
    xy = (cv2.norm(cv2.add(gx, gy), cv2.NORM_L2SQR) - xx - yy) / 2
    spread = ((xx - yy) ** 2 + 4 * xy * xy) ** 0.5
    high, low = (xx + yy + spread) / 2, (xx + yy - spread) / 2
    return high / max(low, 1e-6)


def _orientation_blur(sigma: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> float:
    """Median blur of the most blurred edge orientation with enough edges to count."""
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    bins = (angle // (180.0 / ORIENTATION_BINS)).astype(np.int64) % ORIENTATION_BINS
    enough = max(30, int(0.03 * sigma.size))
    worst = 0.0
    for index in range(ORIENTATION_BINS):
        values = sigma[bins == index]
        if values.size >= enough:
            worst = max(worst, float(np.median(values)))
    return worst


def blur_cues(grey: np.ndarray, *, noise: float) -> tuple[float, bool, float, float]:
    """(sharpest-region blur, has detail, most blurred orientation's blur, anisotropy)."""
    import cv2

    image = grey.astype(np.float32)
    # Each smoothing and its gradients are computed once: the fine (sigma 1) gradients also
    # give the anisotropy. Gradient energies are only ever read on Canny's edge pixels, so
    # they are computed there alone (same float32 operations, so the same values).
    smooth_a = cv2.GaussianBlur(image, (0, 0), _SIGMA_A)
    fine_x = cv2.Sobel(smooth_a, cv2.CV_32F, 1, 0, ksize=3)
    fine_y = cv2.Sobel(smooth_a, cv2.CV_32F, 0, 1, ksize=3)
    smooth_b = cv2.GaussianBlur(image, (0, 0), _SIGMA_B)
    coarse_x = cv2.Sobel(smooth_b, cv2.CV_32F, 1, 0, ksize=3)
    coarse_y = cv2.Sobel(smooth_b, cv2.CV_32F, 0, 1, ksize=3)
    edges = cv2.Canny(np.clip(smooth_b, 0, 255).astype(np.uint8), 20, 50)
    # cv2.findNonZero lists the same pixels in the same (row-major) order as np.nonzero, in
    # a third of the time.
    found = cv2.findNonZero(edges)
    points = np.empty((0, 2), np.intp) if found is None else found.reshape(-1, 2).astype(np.intp)
    ey, ex = points[:, 1], points[:, 0]
    noise_a = _noise_energy_per_variance(_SIGMA_A) * noise * noise
    noise_b = _noise_energy_per_variance(_SIGMA_B) * noise * noise
    ax, ay = fine_x[ey, ex] / 8.0, fine_y[ey, ex] / 8.0
    gx, gy = coarse_x[ey, ex] / 8.0, coarse_y[ey, ex] / 8.0
    energy_a = ax * ax + ay * ay - noise_a
    energy_b = gx * gx + gy * gy - noise_b
    # Edges of at least 5 grey levels per pixel and well above the noise.
    selected = (energy_b > max(25.0, 16.0 * noise_b)) & (energy_a > 0)
    ys, xs = ey[selected], ex[selected]
    if ys.size == 0:
        return 10.0, False, 0.0, 1.0
    ratio = np.clip(energy_a[selected] / np.maximum(energy_b[selected], 1e-6), 1.0001, None)
    sigma2 = (_SIGMA_B**2 - ratio * _SIGMA_A**2) / (ratio - 1.0)
    sigma = np.sqrt(np.clip(sigma2, 0.0, 100.0))
    # Orientation cues use weaker edges too: across a motion smear edges lose contrast, and
    # the strict selection above would keep only the sharp direction.
    weak = (energy_b > max(4.0, 9.0 * noise_b)) & (energy_a > 0)
    weak_ratio = np.clip(energy_a[weak] / np.maximum(energy_b[weak], 1e-6), 1.0001, None)
    weak_sigma = np.sqrt(
        np.clip((_SIGMA_B**2 - weak_ratio * _SIGMA_A**2) / (weak_ratio - 1.0), 0.0, 100.0)
    )
    directional = _orientation_blur(weak_sigma, gx[weak], gy[weak])
    anisotropy = _anisotropy(fine_x, fine_y)
    gx, gy = gx[selected], gy[selected]
    horizontal = np.abs(gx) >= np.abs(gy)
    # Group the edge pixels by tile and direction, then take each group's median.
    columns = -(-grey.shape[1] // TILE)
    tile = (ys // TILE) * columns + xs // TILE
    group = tile * 2 + horizontal
    order = np.lexsort((sigma, group))
    group, sigma_sorted = group[order], sigma[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], group.size]
    per_tile: dict[int, list[float]] = {}
    edges_per_tile = np.bincount(tile)
    for start, end in zip(starts, ends, strict=True):
        key = int(group[start])
        if edges_per_tile[key // 2] < MIN_TILE_EDGES or end - start < MIN_TILE_EDGES // 2:
            continue
        middle = sigma_sorted[start:end]
        per_tile.setdefault(key // 2, []).append(float(middle[(end - start) // 2]))
    scores = [max(values) for values in per_tile.values()]
    if not scores:
        return float(np.median(sigma)), False, directional, anisotropy
    return float(np.percentile(scores, 25)), True, directional, anisotropy


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
