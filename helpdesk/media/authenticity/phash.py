"""ImageHash's perceptual hash (``phash``) of many regions of one picture at once.

phash: the grey resized to 4x the hash size, a 2-D DCT, the hash_size² lowest frequencies
above their median. The fingerprint's key is the 8x8 of a 32x32 copy, its detail the 16x16
of a 64x64 one. ImageHash goes through Pillow and SciPy, ten times slower than OpenCV; and
with ~50 views per photo one OpenCV resize and DCT per view and hash (~100 resizes) was
still most of a fingerprint's time. ``hashes`` averages every view down from one
summed-area table and takes all their DCTs as two matrix products.
"""

from __future__ import annotations

import numpy as np

KEY_SIZE, DETAIL_SIZE = 8, 16
_GRID = DETAIL_SIZE * 4
_dct_rows_cache: dict[tuple[int, int], np.ndarray] = {}


def _dct_rows(size: int, rows: int) -> np.ndarray:
    """The first ``rows`` rows of the orthonormal DCT-II matrix of ``size`` (cv2.dct's)."""
    cached = _dct_rows_cache.get((size, rows))
    if cached is None:
        k, n = np.arange(rows)[:, None], np.arange(size)[None, :]
        cached = np.cos(np.pi * (2 * n + 1) * k / (2 * size)) * np.sqrt(2.0 / size)
        cached[0] /= np.sqrt(2.0)
        _dct_rows_cache[(size, rows)] = cached
    return cached


def area_grids(sums: np.ndarray, regions: list[tuple[int, int, int, int]], side: int) -> np.ndarray:
    """Each region averaged down to ``side`` x ``side`` cells: what ``cv2.resize`` with
    ``INTER_AREA`` computes when it shrinks (every pixel weighted by how much of it a cell
    covers), read off one summed-area table for all the views instead of one resize per
    view. The table of a picture that is constant within each pixel is bilinear within
    each pixel, so interpolating it at a cell's fractional corners is exact."""
    bounds = np.asarray(regions, dtype=np.float64)  # (views, 4): y0, y1, x0, x1
    steps = np.arange(side + 1, dtype=np.float64) / side
    ys = bounds[:, :1] + (bounds[:, 1:2] - bounds[:, :1]) * steps  # (views, side + 1)
    xs = bounds[:, 2:3] + (bounds[:, 3:4] - bounds[:, 2:3]) * steps
    height, width = sums.shape[0] - 1, sums.shape[1] - 1
    # Columns first, once per distinct horizontal span (the crops share nine of them).
    _, first, which = np.unique(bounds[:, 2:4], axis=0, return_index=True, return_inverse=True)
    which = which.reshape(-1)
    span_xs = xs[first]  # (spans, side + 1)
    x_low = np.minimum(span_xs.astype(np.intp), width - 1)
    x_frac = span_xs - x_low
    columns = sums[:, x_low] * (1.0 - x_frac) + sums[:, x_low + 1] * x_frac  # (H+1, spans, s+1)
    columns = np.moveaxis(columns, 1, 0)  # (spans, H + 1, side + 1)
    y_low = np.minimum(ys.astype(np.intp), height - 1)
    y_frac = (ys - y_low)[:, :, None]
    picked = columns[which[:, None], y_low]  # (views, side + 1, side + 1)
    below = columns[which[:, None], y_low + 1]
    corners = picked * (1.0 - y_frac) + below * y_frac
    cells = np.diff(np.diff(corners, axis=1), axis=2)
    area = (bounds[:, 1] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 2]) / (side * side)
    return cells / area[:, None, None]


def _bits(grids: np.ndarray, hash_size: int) -> np.ndarray:
    """phash bits of each grid (views, 4h, 4h) → (views, h²): the DCT of all views in two
    matrix products, only the rows and columns of the lowest frequencies."""
    rows = _dct_rows(grids.shape[1], hash_size)
    low = (rows @ grids @ rows.T).reshape(len(grids), -1)
    return low > np.median(low, axis=1, keepdims=True)


def hashes(
    picture: np.ndarray, regions: list[tuple[int, int, int, int]], *, min_std: float
) -> tuple[list[int | None], list[bytes | None]]:
    """The key (64-bit) and detail (256-bit) phash of each region of ``picture``; None for
    a region whose grey levels vary less than ``min_std`` (it would match anything).

    Regions at least ``_GRID`` pixels on each side (every crop of a photo) are averaged
    from one summed-area table and their DCTs taken together; the 32-pixel grid of the key
    is the 64-pixel one averaged by 2x2, which is the same area average. A smaller region
    (a small box in a screenshot) is enlarged, which ``cv2.resize`` does by interpolation:
    those go through it one by one."""
    import cv2

    sums, squares = cv2.integral2(picture, sdepth=cv2.CV_64F, sqdepth=cv2.CV_64F)
    keys: list[int | None] = [None] * len(regions)
    details: list[bytes | None] = [None] * len(regions)
    bounds = np.asarray(regions, dtype=np.intp)
    y0, y1, x0, x1 = bounds.T
    count = (y1 - y0) * (x1 - x0)
    mean = (sums[y1, x1] - sums[y0, x1] - sums[y1, x0] + sums[y0, x0]) / count
    power = (squares[y1, x1] - squares[y0, x1] - squares[y1, x0] + squares[y0, x0]) / count
    varied = power - mean * mean >= min_std * min_std
    batched = []
    for position, (y0, y1, x0, x1) in enumerate(regions):
        if not varied[position]:
            continue
        if min(y1 - y0, x1 - x0) >= _GRID:
            batched.append(position)
        else:
            region = picture[y0:y1, x0:x1]
            keys[position] = key(region)
            details[position] = detail(region)
    if batched:
        grids = area_grids(sums, [regions[p] for p in batched], _GRID)
        halves = (
            grids[:, 0::2, 0::2]
            + grids[:, 1::2, 0::2]
            + grids[:, 0::2, 1::2]
            + grids[:, 1::2, 1::2]
        ) * 0.25
        # Rounded to whole grey levels as cv2.resize's 8-bit output is: the same bits as
        # one resize per view (fingerprints stored before stay comparable).
        grids, halves = np.rint(grids), np.rint(halves)
        key_bytes = np.packbits(_bits(halves, KEY_SIZE), axis=1)
        detail_bytes = np.packbits(_bits(grids, DETAIL_SIZE), axis=1)
        for index, position in enumerate(batched):
            keys[position] = int.from_bytes(key_bytes[index].tobytes(), "big")
            details[position] = detail_bytes[index].tobytes()
    return keys, details


def _dct_bits(region: np.ndarray, hash_size: int) -> np.ndarray:
    # One view at a time with OpenCV (a region smaller than the grid, see ``hashes``).
    import cv2

    side = hash_size * 4
    small = cv2.resize(region, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:hash_size, :hash_size]
    return (low > np.median(low)).flatten()


def key(region: np.ndarray) -> int:
    """The 64-bit phash of one picture, unsigned."""
    return int.from_bytes(np.packbits(_dct_bits(region, KEY_SIZE)).tobytes(), "big")


def detail(region: np.ndarray) -> bytes:
    """The 256-bit phash of one picture (32 bytes)."""
    return np.packbits(_dct_bits(region, DETAIL_SIZE)).tobytes()
