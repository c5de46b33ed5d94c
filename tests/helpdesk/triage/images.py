"""Pictures with known truth for triage tests: rendered with Pillow in DejaVu fonts (or
Pillow's built-in font), analysed once per module by the real ``helpdesk.media.analyze``
(Tesseract is slow, so there are few of them)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# EAN-13 digit patterns (GS1 General Specifications): L, G and R codes, and the parity
# pattern of the left half chosen by the first digit.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011",
      "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
_G = ["".join("1" if b == "0" else "0" for b in reversed(code)) for code in _L]
_R = ["".join("1" if b == "0" else "0" for b in code) for code in _L]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
           "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def draw_ean13(draw: ImageDraw.ImageDraw, digits: str, x: int, y: int, module: int = 4) -> None:
    bits = "101"
    for digit, parity in zip(digits[1:7], _PARITY[int(digits[0])], strict=True):
        bits += (_L if parity == "L" else _G)[int(digit)]
    bits += "01010" + "".join(_R[int(d)] for d in digits[7:]) + "101"
    for index, bit in enumerate(bits):
        if bit == "1":
            left = x + index * module
            draw.rectangle((left, y, left + module - 1, y + 160), fill=(0, 0, 0))


def screenshot(title: str, lines: Sequence[str]) -> bytes:
    """A phone-width screenshot: a coloured title bar and dark text on white."""
    image = Image.new("RGB", (1080, 900), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1080, 90), fill=(0, 95, 184))
    draw.text((30, 25), title, fill=(255, 255, 255), font=font(36, bold=True))
    y = 150
    for line in lines:
        draw.text((40, y), line, fill=(20, 20, 20), font=font(34))
        y += 58
    return png(image)


def label(lines: Sequence[str], barcode: str | None = None) -> bytes:
    """A rating label: black text on a light sticker, with an EAN-13 under it."""
    image = Image.new("RGB", (1400, 1000), (238, 236, 230))
    draw = ImageDraw.Draw(image)
    y = 80
    for line in lines:
        draw.text((80, y), line, fill=(15, 15, 15), font=font(52, bold=True))
        y += 90
    if barcode:
        draw_ean13(draw, barcode, 160, y + 40)
    return png(image)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
