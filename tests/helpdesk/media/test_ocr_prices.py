"""Prices Tesseract reads right but scores low are shown (helpdesk/media/ocr.py's gate), on a
real receipt of the dev set (tests/data/media-dev, rot_sroie_train_455_rot90: a hardware
store's slip photographed sideways). Its item lines print "1.00 2.50 2.50 SR"; Tesseract
read the last prices at confidence 0-38, and the gate used to drop them, so the agent saw
an item without its price."""

from __future__ import annotations

import re

import pytest

from helpdesk.media import analyze
from tests.helpdesk.media.real_media import DEV_SET, load_items


def test_every_item_price_on_a_receipt_is_shown() -> None:
    analysis = analyze((DEV_SET / "rot_sroie_train_455_rot90.jpg").read_bytes(), purpose="receipt")
    lines = analysis.to_dict()["ocr"]["text"].splitlines()
    for code, price in (("002882", "3.50"), ("001065", "2.50"), ("001741", "21.00")):
        line = next(line for line in lines if line.startswith(code))
        # Item code, quantity, unit price, amount: the amount is the unit price again.
        assert re.findall(re.escape(price), line) == [price, price], line


@pytest.mark.parametrize(
    "file", [item.file for item in load_items() if item.category in ("sharp", "dark", "blurry")]
)
def test_a_photo_without_text_shows_no_price(file: str) -> None:
    # Prices are kept for their shape whatever their confidence: texture never reads as one.
    ocr = analyze((DEV_SET / file).read_bytes(), purpose="any").to_dict()["ocr"]
    assert ocr is None or not re.search(r"\d[.,]\d\d", ocr["text"])
