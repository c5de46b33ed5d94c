"""Coloured ink dropped from a photographed receipt before OCR: a red or blue rubber stamp
("PAID", a shop's seal) across the printed text.

The picture is decoded as grey for every check (helpdesk/media/decode.py), and in grey a
red stamp is as dark as the print under it: Tesseract reads the header of a stamped
receipt as fragments (tests/data/media-dev receipt_sroie_train_022: "B R 01 A AYA" for
"FUYI MINI MARKET BR No. 0195932-X ..."). Printed receipts are black or grey ink on paper;
a stamp's ink is strongly coloured. Seen in its lightest colour channel, coloured ink is
nearly as light as the paper, while black print stays dark, so the coloured pixels are
replaced by that channel's value and the print under the stamp reads again (022: OCR
similarity to the reading-order truth 0.71 -> 0.89).

Colour is judged after white balance on the paper (each channel divided by its paper
level), so a receipt under warm light is not "coloured". Only a picture where a real
share of pixels is clearly coloured is changed: on the dev receipts without a stamp the
share is at most 0.2 %, on the stamped one 0.9 % (measured on a decode reduced to
CHECK_LONG_SIDE: 4-13 ms of CPU per receipt; the full-size colour decode, about 0.1 s, is
paid only by a stamped receipt). Changing the few coloured pixels of an unstamped receipt
(JPEG colour fringes) would only move Tesseract's reading at random.
Used for photographed receipts only (helpdesk/media/analysis.py): a label's serial number
or a screenshot's text may well be printed in colour.
"""

from __future__ import annotations

import io

import numpy as np

CHECK_LONG_SIDE = 400  # pixels: the quick look that decides whether there is coloured ink
INK_CHROMA = 60  # max - min channel (0..255), after white balance: clearly coloured
INK_SHARE = 0.004  # share of the picture in coloured ink above which it is dropped
REPLACE_CHROMA = 40  # pixels this coloured take their lightest channel (stamp edges too)
PAPER_PERCENTILE = 90  # a channel's paper level: most of a receipt is paper


def _colour(data: bytes, long_side: int | None):  # type: ignore[no-untyped-def]
    """The picture as RGB (uint8, oriented as decode.py orients it), or None when it has no
    colour; ``long_side``: decode JPEGs reduced (libjpeg's draft) to about that size."""
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    if image.mode not in ("RGB", "RGBA", "P", "YCbCr", "CMYK"):
        return None
    if long_side and image.format == "JPEG":
        factor = max(image.size) / long_side
        if factor > 1:
            image.draft("RGB", (int(image.size[0] / factor), int(image.size[1] / factor)))
    image = ImageOps.exif_transpose(image.convert("RGB"))
    return np.asarray(image)


def _balanced_chroma(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lightest channel, max - min channel), uint8, after white balance on the paper."""
    import cv2

    sample = rgb.reshape(-1, 3)[:: max(1, rgb.shape[0] * rgb.shape[1] // 20000)]
    paper = np.maximum(np.percentile(sample, PAPER_PERCENTILE, axis=0), 1.0)
    levels = np.arange(256, dtype=np.float32)
    tables = [np.clip(levels * (255.0 / level), 0, 255).astype(np.uint8) for level in paper]
    channels = [cv2.LUT(np.ascontiguousarray(rgb[:, :, i]), tables[i]) for i in range(3)]
    lightest = cv2.max(cv2.max(channels[0], channels[1]), channels[2])
    darkest = cv2.min(cv2.min(channels[0], channels[1]), channels[2])
    return lightest, cv2.subtract(lightest, darkest)


def coloured_share(data: bytes, colour: np.ndarray | None = None) -> float:
    """Share of the picture in clearly coloured ink, from a quick reduced decode (or from
    ``colour``, the picture already decoded in RGB)."""
    import cv2

    rgb = _colour(data, CHECK_LONG_SIDE) if colour is None else colour
    if rgb is None:
        return 0.0
    if max(rgb.shape[:2]) > CHECK_LONG_SIDE:
        factor = CHECK_LONG_SIDE / max(rgb.shape[:2])
        rgb = cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    _, chroma = _balanced_chroma(rgb)
    return float(np.mean(chroma > INK_CHROMA))


def without_coloured_ink(
    data: bytes, grey: np.ndarray, colour: np.ndarray | None = None
) -> np.ndarray:
    """``grey`` (the decoded picture, any size) with coloured ink turned to paper, where the
    picture has a stamp's worth of it; otherwise ``grey`` itself. ``colour``: the same
    picture in RGB where the decode kept it (helpdesk/media/decode.py), so ``data`` is not
    decoded again (a PNG receipt's colour decode cost more than its grey one)."""
    import cv2

    try:
        if coloured_share(data, colour) < INK_SHARE:
            return grey
        rgb = _colour(data, None) if colour is None else colour
    except (OSError, ValueError, SyntaxError):  # undecodable here: decode.py has judged it
        return grey
    if rgb is None:
        return grey
    height, width = grey.shape
    if rgb.shape[:2] != grey.shape:
        if abs(rgb.shape[1] / rgb.shape[0] - width / height) > 0.02:
            return grey  # not the same picture as decoded: leave it
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    lightest, chroma = _balanced_chroma(rgb)
    # The lightest channel is balanced on the paper; the grey is not: lifted to the
    # grey's own paper level, so a dropped stamp is paper and not a lighter patch.
    paper = float(np.percentile(grey[:: max(1, height // 200), :: max(1, width // 200)], 90))
    light = np.clip(lightest.astype(np.float32) * (paper / 255.0), 0, 255).astype(np.uint8)
    return np.where(chroma > REPLACE_CHROMA, np.maximum(light, grey), grey).astype(np.uint8)
