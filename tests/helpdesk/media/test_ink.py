"""A rubber stamp across a receipt's print (helpdesk/media/ink.py), on the real stamped
receipt of the dev set (tests/data/media-dev, receipt_sroie_train_022: a red "PAID"-style
stamp over the shop's name and address): the customer's receipt is read under the stamp,
and receipts without one are read exactly as before."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpdesk.media import analyze
from helpdesk.media.decode import load_image
from helpdesk.media.ink import without_coloured_ink
from tests.helpdesk.media.real_media import DEV_SET, turned

STAMPED = "receipt_sroie_train_022.jpg"


def _grey(data: bytes) -> np.ndarray:
    mime = "image/jpeg" if data[:2] == b"\xff\xd8" else "image/png"
    return load_image(data, mime, long_side=2400).grey


@pytest.mark.parametrize("degrees", [0, 90])
def test_the_shop_under_a_red_stamp_is_read(degrees: int) -> None:
    text = analyze(turned(DEV_SET / STAMPED, degrees), purpose="receipt").to_dict()["ocr"]["text"]
    # Read as "B R 01 A AYA Y 5 SELANGO" with the stamp in grey.
    header = text[: text.index("TAMAN SEJATI")]
    assert "FUYI" in header and "0195932" in header
    assert "IJOK, 45600 BESTARI JAYA" in text


def test_the_stamp_is_paper_and_the_print_under_it_stays() -> None:
    data = (DEV_SET / STAMPED).read_bytes()
    grey = _grey(data)
    clean = without_coloured_ink(data, grey)
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
    red = (rgb[..., 0] - rgb[..., 1] > 80) & (rgb[..., 0] > 150)  # the stamp's own strokes
    black = rgb.max(axis=2) < 80  # the print
    assert red.sum() > 1000
    assert np.median(clean[red]) > np.median(grey[red]) + 40
    assert np.mean(clean[black] == grey[black]) > 0.98  # a few dark red pixels are stamp


@pytest.mark.parametrize(
    "file",
    ["receipt_sroie_train_002.jpg", "receipt_sroie_train_010.jpg", "receipt_sroie_train_610.jpg"],
)
def test_a_page_without_a_stamp_is_left_as_it_is(file: str) -> None:
    # Each carries a few colour fringes (JPEG) or a small coloured logo.
    data = (DEV_SET / file).read_bytes()
    grey = _grey(data)
    assert without_coloured_ink(data, grey) is grey


def test_a_receipt_under_warm_light_is_not_coloured_ink() -> None:
    data = (DEV_SET / "receipt_sroie_train_060.jpg").read_bytes()
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.float32)
    warm = np.clip(rgb * np.array([1.0, 0.85, 0.6]), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(warm).save(buffer, "PNG")
    tinted = buffer.getvalue()
    grey = _grey(tinted)
    assert without_coloured_ink(tinted, grey) is grey


@pytest.mark.parametrize("file", [STAMPED, "receipt_sroie_train_010.jpg"])
def test_the_colour_kept_by_the_decode_cleans_as_a_second_decode_did(file: str) -> None:
    # A receipt sent as PNG (a turned copy): its colour comes from the one decode, and the
    # stamp is dropped exactly as when the bytes were decoded again for it.
    data = turned(DEV_SET / file, 90)
    loaded = load_image(data, "image/png", long_side=2400, keep_colour=True)
    assert loaded.colour is not None and loaded.colour.shape[:2] == loaded.grey.shape
    kept = without_coloured_ink(data, loaded.grey, loaded.colour)
    assert np.array_equal(kept, without_coloured_ink(data, loaded.grey))
    assert (kept is loaded.grey) == (file != STAMPED)
