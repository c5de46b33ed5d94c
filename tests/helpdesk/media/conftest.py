"""Generated media with known truth, built once per test session.

Text is drawn with Pillow in DejaVu fonts (or Pillow's built-in font when they are
missing), then made to look photographed: slight perspective, uneven light, lens softness,
sensor noise and JPEG compression. Everything is seeded, so each run sees the same files.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / name
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def draw_text(
    lines: Sequence[str],
    *,
    size: tuple[int, int] = (1600, 1200),
    font_name: str = "DejaVuSans-Bold.ttf",
    font_size: int = 56,
    background: tuple[int, int, int] = (236, 233, 226),
    ink: tuple[int, int, int] = (25, 25, 30),
    top: int = 90,
) -> Image.Image:
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    face = font(font_name, font_size)
    y = top
    for line in lines:
        draw.text((90, y), line, fill=ink, font=face)
        y += int(font_size * 1.6)
    return image


def scene(size: tuple[int, int] = (1600, 1200), seed: int = 3) -> Image.Image:
    """An object photo: a product with edges, texture and a dent, on a table."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    table = 120 + 25 * np.sin(x / 37.0) * np.cos(y / 53.0) + rng.normal(0, 6, (height, width))
    canvas = np.dstack([table * 0.9, table * 0.75, table * 0.6]).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(canvas)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (width * 0.2, height * 0.15, width * 0.8, height * 0.85), 30, fill=(200, 200, 205)
    )
    draw.rectangle((width * 0.25, height * 0.2, width * 0.75, height * 0.5), fill=(40, 44, 52))
    for i in range(12):
        draw.line(
            (width * 0.3 + i * 30, height * 0.6, width * 0.32 + i * 34, height * 0.8),
            fill=(70, 70, 80),
            width=3,
        )
    draw.ellipse(
        (width * 0.55, height * 0.6, width * 0.7, height * 0.78), outline=(60, 50, 50), width=6
    )
    return image


def photographed(
    image: Image.Image,
    *,
    seed: int = 0,
    noise: float = 2.5,
    perspective: float = 0.03,
    quality: int = 88,
    blur: float = 0.6,
    exposure: float = 1.0,
    rotate: int = 0,
) -> bytes:
    """Make a clean rendering look like a phone photo of it, as JPEG bytes."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image.convert("RGB")).astype(np.float32)
    height, width = pixels.shape[:2]
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])

    def jitter() -> float:
        return float(rng.uniform(-perspective, perspective))

    target = np.float32(
        [
            [width * jitter(), height * jitter()],
            [width * (1 + jitter()), height * jitter()],
            [width * (1 + jitter()), height * (1 + jitter())],
            [width * jitter(), height * (1 + jitter())],
        ]
    )
    matrix = cv2.getPerspectiveTransform(source, target)
    pixels = cv2.warpPerspective(pixels, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    y, x = np.mgrid[0:height, 0:width]
    pixels *= (0.88 + 0.18 * x / width - 0.08 * y / height)[..., None]
    if blur > 0:
        pixels = cv2.GaussianBlur(pixels, (0, 0), blur)
    pixels = pixels * exposure + rng.normal(0, noise, pixels.shape)
    pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if rotate:
        pixels = np.ascontiguousarray(np.rot90(pixels, k=-(rotate // 90)))
    return jpeg(Image.fromarray(pixels), quality=quality)


def jpeg(image: Image.Image, *, quality: int = 90, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **options)
    return buffer.getvalue()


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


LABEL_LINES = ["MODEL NO: WM-8000X", "S/N: SN12345-ABC", "ERROR E-1042", "220-240V 50Hz 2000W"]


@pytest.fixture(scope="session")
def label_jpeg() -> bytes:
    return photographed(draw_text(LABEL_LINES))


@pytest.fixture(scope="session")
def scene_jpeg() -> bytes:
    return photographed(scene(), noise=3.0)


@pytest.fixture(scope="session")
def make_photo() -> Callable[..., bytes]:
    return photographed


@pytest.fixture(scope="session")
def make_text() -> Callable[..., Image.Image]:
    return draw_text


@pytest.fixture(scope="session")
def make_scene() -> Callable[..., Image.Image]:
    return scene
