"""Sharpness on the working-size grey picture: the noise level and the edges' blur radius,
overall, per direction (motion blur) and as the gradients' anisotropy; measured for
helpdesk/media/quality.py, whose module docstring says why at the working size."""

from __future__ import annotations

import numpy as np

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
