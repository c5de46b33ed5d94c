"""Edits of payment screens: the amount, read by the product's own OCR on the honest
screen, painted over with another one the way a quick edit in a phone's photo editor does
it: a box of the background's colour, then the new digits in a font a little too big
(``bigger``) or at the right size but off the line (``shifted``). Negatives: every real
picture of tests/data/media-dev (receipts photographed on paper, signs, pages, scenes) and
the honest screens.

The screens are drawn here (tests/helpdesk/capture/images.py): media-dev holds no real
screenshot. The check runs on rendered pictures only, so the real paper receipts are
negatives that must stay silent, not positives."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from helpdesk.media.decode import load_image
from helpdesk.media.limits import OCR_LONG_SIDE

DEV = Path(__file__).resolve().parents[3] / "data" / "media-dev"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
EDITS = {"bigger": (1.45, 0.0), "shifted": (1.0, 0.55)}  # (height factor, baseline shift)


@dataclass(frozen=True)
class Edited:
    name: str
    edit: str
    data: bytes
    box: tuple[float, float, float, float]  # the painted box, fractions


def honest() -> Iterator[tuple[str, bytes, str]]:
    """Every real picture of media-dev as the customer would send it, with its purpose."""
    for path in sorted(DEV.iterdir()):
        if path.suffix in (".jpg", ".png"):
            purpose = "receipt" if "sroie" in path.name else "screenshot"
            yield path.name, path.read_bytes(), purpose


def _screens() -> Iterator[tuple[str, bytes]]:
    from tests.helpdesk.capture.images import error_screenshot, receipt_screenshot

    for number, amount in enumerate(("$49.90", "$1,234.56", "12.00 EUR", "$7.25")):
        yield f"payment-{number}", receipt_screenshot(f"84127763{number:04d}", amount)
    yield "error", error_screenshot("Unexpected failure.", "0x8BADF00D")


def honest_screens() -> Iterator[tuple[str, bytes, str]]:
    for name, data in _screens():
        yield name, data, "receipt" if name.startswith("payment") else "screenshot"


def edited() -> Iterator[Edited]:
    """Each payment screen with its amount painted over by another one."""
    from helpdesk.media.ocr import read_text

    for name, data in _screens():
        if not name.startswith("payment"):
            continue
        loaded = load_image(data, "image/png", long_side=OCR_LONG_SIDE)
        words = read_text(loaded.grey, camera=False).words
        word = next((w for w in words if sum(c.isdigit() for c in w.text) >= 3), None)
        if word is None:
            continue
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB")
        scale = image.width / loaded.grey.shape[1]
        x, y, w, h = (round(v * scale) for v in word.box)
        paper = tuple(int(v) for v in np.median(np.asarray(image)[max(0, y - h) : y], (0, 1)))
        digits = "".join(c for c in word.text if c.isdigit())
        new = word.text.replace(digits[0], str((int(digits[0]) + 3) % 10), 1)
        for edit, (factor, shift) in EDITS.items():
            copy = image.copy()
            draw = ImageDraw.Draw(copy)
            draw.rectangle((x - 2, y - 2, x + w + 2, y + h + 2), fill=paper)
            font = ImageFont.truetype(str(FONT), max(8, round(h * factor * 1.35)))
            left, top, right, bottom = draw.textbbox((0, 0), new, font=font)
            # The digits' bottom where the original's was, then moved by ``shift``.
            place = (x, y + h - bottom + round(shift * h))
            draw.text(place, new, fill=(20, 20, 20), font=font)
            box = (x + left, place[1] + top, x + right, place[1] + bottom)
            buffer = io.BytesIO()
            copy.save(buffer, "PNG")
            yield Edited(
                name,
                edit,
                buffer.getvalue(),
                (box[0] / copy.width, box[1] / copy.height, box[2] / copy.width,
                 box[3] / copy.height),
            )  # fmt: skip
