"""The evaluation set for reuse detection, built from real photos (tests/data/authenticity/).

Positives: a real photo and a transformed copy of it (what a customer reusing a picture
does, knowingly or not: WhatsApp re-encodes, a gallery app crops or filters, a screenshot
of the chat carries the photo inside). Negatives: two different photos, either unrelated
(different kinds of scene) or look-alike (same kind: two receipts, two night shots, two
pages of text, and two chat screenshots with the same frame around different photos).

Photos are split in two halves by name: ``dev`` to calibrate thresholds on
(``calibrate.py``), ``test`` for the evaluation test. Thresholds are never chosen on
``test``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

DATA = Path(__file__).resolve().parents[3] / "data" / "authenticity"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Photo:
    name: str
    category: str
    path: Path

    def image(self) -> Image.Image:
        with Image.open(self.path) as image:
            return image.convert("RGB")


def photos(split: str) -> list[Photo]:
    """The photos of one half: ``dev`` or ``test`` (by a hash of the name, so adding a
    photo does not move the others)."""
    found = []
    with (DATA / "labels.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = Path(row["file"]).stem + ".jpg"
            half = "dev" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "test"
            if half == split:
                category = "receipt" if row["category"] == "rotated" else row["category"]
                found.append(Photo(name, category, DATA / name))
    return sorted(found, key=lambda p: p.name)


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _rng(name: str, transform: str) -> np.random.Generator:
    return np.random.default_rng(
        int.from_bytes(hashlib.sha256(f"{name}/{transform}".encode()).digest()[:4], "big")
    )


def reencoded(image: Image.Image, rng: np.random.Generator) -> bytes:
    return jpeg_bytes(image, quality=int(rng.integers(45, 70)))


def resized(image: Image.Image, rng: np.random.Generator) -> bytes:
    factor = float(rng.uniform(0.35, 0.6))
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return jpeg_bytes(image.resize(size, Image.BILINEAR), quality=80)


def cropped(image: Image.Image, rng: np.random.Generator) -> bytes:
    """Up to 20 % off each dimension, split at random between the two sides."""
    width, height = image.size
    cut_x, cut_y = rng.uniform(0.1, 0.2) * width, rng.uniform(0.1, 0.2) * height
    left, top = rng.uniform(0, cut_x), rng.uniform(0, cut_y)
    box = (round(left), round(top), round(width - (cut_x - left)), round(height - (cut_y - top)))
    return jpeg_bytes(image.crop(box), quality=85)


def rotated(image: Image.Image, rng: np.random.Generator) -> bytes:
    angle = float(rng.choice([-1, 1]) * rng.uniform(2, 5))
    turned = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(0, 0, 0))
    return jpeg_bytes(turned, quality=85)


def recoloured(image: Image.Image, rng: np.random.Generator) -> bytes:
    choice = int(rng.integers(0, 3))
    if choice == 0:
        changed = ImageOps.grayscale(image).convert("RGB")
    elif choice == 1:
        changed = ImageEnhance.Color(image).enhance(float(rng.uniform(0.2, 1.8)))
        changed = ImageEnhance.Brightness(changed).enhance(float(rng.uniform(0.8, 1.2)))
    else:  # a warm "filter": channel gains and a little contrast
        r, g, b = image.split()
        r = r.point(lambda v: min(255, int(v * 1.15)))
        b = b.point(lambda v: int(v * 0.8))
        changed = ImageEnhance.Contrast(Image.merge("RGB", (r, g, b))).enhance(1.2)
    return jpeg_bytes(changed, quality=85)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default()


def chat_screenshot(image: Image.Image, rng: np.random.Generator | None = None) -> Image.Image:
    """A phone chat screenshot (1080x2340) with the photo in a bubble, as it looks when a
    customer screenshots a conversation that carried the photo."""
    canvas = Image.new("RGB", (1080, 2340), (236, 229, 221))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 1080, 90), fill=(7, 94, 84))
    draw.rectangle((0, 90, 1080, 260), fill=(7, 94, 84))
    draw.text((170, 130), "Maria García", fill=(255, 255, 255), font=_font(52))
    draw.text((40, 20), "12:41", fill=(255, 255, 255), font=_font(40))
    y = 320
    for line in ("Hi! I'm sending the photo", "of the problem, see below"):
        draw.rounded_rectangle((40, y, 760, y + 110), 24, fill=(255, 255, 255))
        draw.text((70, y + 28), line, fill=(20, 20, 20), font=_font(44))
        y += 140
    width = int(880 * (1.0 if rng is None else float(rng.uniform(0.75, 1.0))))
    height = round(image.height * width / image.width)
    height = min(height, 1350)
    photo = image.resize((round(image.width * height / image.height), height), Image.LANCZOS)
    left = 1080 - 40 - photo.width - 20
    draw.rounded_rectangle(
        (left - 16, y - 16, 1080 - 44, y + photo.height + 90), 24, fill=(220, 248, 198)
    )
    canvas.paste(photo, (left, y))
    draw.text((left, y + photo.height + 20), "12:40 ✓✓", fill=(100, 120, 100), font=_font(36))
    draw.rectangle((0, 2200, 1080, 2340), fill=(246, 246, 246))
    draw.rounded_rectangle((30, 2225, 900, 2315), 45, fill=(255, 255, 255))
    draw.text((80, 2245), "Message", fill=(150, 150, 150), font=_font(42))
    return canvas


def in_screenshot(image: Image.Image, rng: np.random.Generator) -> bytes:
    shot = chat_screenshot(image, rng)
    return png_bytes(shot) if rng.integers(0, 2) else jpeg_bytes(shot, quality=80)


def combined(image: Image.Image, rng: np.random.Generator) -> bytes:
    """Cropped, shrunk and filtered, then re-encoded: several edits at once."""
    with Image.open(io.BytesIO(cropped(image, rng))) as first:
        smaller = first.resize((max(1, first.width * 2 // 3), max(1, first.height * 2 // 3)))
    return recoloured(smaller, rng)


TRANSFORMS: dict[str, Callable[[Image.Image, np.random.Generator], bytes]] = {
    "reencoded": reencoded,
    "resized": resized,
    "cropped": cropped,
    "rotated": rotated,
    "recoloured": recoloured,
    "in_screenshot": in_screenshot,
    "combined": combined,
}


@dataclass(frozen=True)
class Pair:
    kind: str  # reused, unrelated, lookalike
    label: str  # the transform for reused pairs, the categories for negatives
    first: bytes
    second: bytes
    names: tuple[str, str]


def reused_pairs(split: str) -> Iterator[Pair]:
    for photo in photos(split):
        image = photo.image()
        original = jpeg_bytes(image, quality=92)
        for name, transform in TRANSFORMS.items():
            copy = transform(image, _rng(photo.name, name))
            yield Pair("reused", name, original, copy, (photo.name, photo.name))


def negative_pairs(split: str) -> Iterator[Pair]:
    found = photos(split)
    for index, first in enumerate(found):
        for second in found[index + 1 :]:
            kind = "lookalike" if first.category == second.category else "unrelated"
            yield Pair(
                kind,
                f"{first.category}/{second.category}",
                jpeg_bytes(first.image(), quality=92),
                jpeg_bytes(second.image(), quality=75),
                (first.name, second.name),
            )
    # The hardest look-alike: the same chat frame around two different photos.
    for first, second in zip(found, found[1:] + found[:1], strict=True):
        if first.name == second.name:
            continue
        rng = _rng(first.name + second.name, "frame")
        yield Pair(
            "lookalike",
            "screenshot/screenshot",
            jpeg_bytes(chat_screenshot(first.image(), rng), quality=85),
            jpeg_bytes(chat_screenshot(second.image(), rng), quality=85),
            (first.name, second.name),
        )
