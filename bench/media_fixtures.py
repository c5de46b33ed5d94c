"""The media benchmarks' synthetic pictures (a 12-MP phone photo, a phone screenshot) and
the helpers they share: ``timed`` and ``tesseract_config`` (the naive baselines' Tesseract
options with the product's models)."""

from __future__ import annotations

import io
import os
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _font(size: int) -> ImageFont.ImageFont:
    if os.path.exists(FONT):
        return ImageFont.truetype(FONT, size)
    return ImageFont.load_default(size=size)


def phone_photo(width: int = 4032, height: int = 3024, seed: int = 1) -> bytes:
    """A 12-MP 'phone photo': shaded scene, objects, a printed label, sensor noise, q=90."""
    import cv2

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = 110 + 50 * np.sin(x / 900) * np.cos(y / 700) + 20 * np.sin(x / 37) * np.sin(y / 41)
    image = Image.fromarray(
        np.dstack([base, base * 0.92 + 10, base * 0.8 + 20]).clip(0, 255).astype(np.uint8)
    )
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((800, 600, 3200, 2400), 60, fill=(215, 215, 220))
    face = _font(110)
    for index, line in enumerate(["MODEL NO: WM-8000X", "S/N: SN12345-ABC", "220-240V 50Hz"]):
        draw.text((1000, 800 + index * 200), line, fill=(20, 20, 25), font=face)
    pixels = cv2.GaussianBlur(np.asarray(image).astype(np.float32), (0, 0), 1.0)
    # Sensor grain and fine texture at the level that makes real 12-MP phone JPEGs 3-5 MB.
    pixels += rng.normal(0, 6.0, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def screenshot(width: int = 1080, height: int = 2400) -> Image.Image:
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)
    face = _font(40)
    lines = [
        "Payment failed",
        "Transaction ID: TXN8A23F90B12",
        "Amount: $1,234.56",
        "Date: March 5, 2024",
        "Your bank declined the payment.",
        "Please try again or use another card.",
        "Order #112-3456789-1234567",
        "Reference: 00AB12CD34",
    ] * 3
    for index, line in enumerate(lines):
        draw.text((60, 120 + index * 90), line, fill=20, font=face)
    return image


def tesseract_config(options: str = "") -> str:
    """The naive baselines read with the product's models (HELPDESK_TESSDATA_DIR) too, so a
    ratio compares the ways of reading, not two models."""
    from helpdesk.media import engine

    folder = engine.models_dir()
    return f"{options} --tessdata-dir {folder}".strip() if folder else options


def timed(function, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times
