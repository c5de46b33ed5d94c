"""Pictures with known truth for capture tests, drawn with Pillow."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def _font(size: int) -> ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def product_photo(*, brightness: float = 1.0, seed: int = 7) -> bytes:
    """A well-lit, detailed photo of a damaged box; ``brightness`` < 0.15 makes it too dark."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), (196, 178, 150))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(1600), rng.randrange(1200)
        shade = rng.randrange(60, 230)
        draw.line((x, y, x + rng.randrange(-80, 80), y + rng.randrange(-80, 80)),
                  fill=(shade, shade - 20, shade - 40), width=rng.randrange(1, 4))  # fmt: skip
    draw.rectangle((300, 250, 1300, 950), outline=(70, 50, 30), width=12)
    draw.line((500, 300, 900, 800, 1100, 700), fill=(30, 20, 10), width=9)  # the crack
    image = image.filter(ImageFilter.SMOOTH)
    if brightness != 1.0:
        image = image.point(lambda value: int(value * brightness))
    return _jpeg(image)


def receipt_screenshot(transaction_id: str = "841277630921", amount: str = "$49.90") -> bytes:
    """A phone payment screen with a transaction id, amount, date and status."""
    image = Image.new("RGB", (1080, 1920), "white")
    draw = ImageDraw.Draw(image)
    big, normal = _font(64), _font(48)
    draw.rectangle((0, 0, 1080, 140), fill=(30, 90, 160))
    draw.text((60, 40), "Payment details", font=normal, fill="white")
    lines = [
        ("Payment failed", big),
        (f"Amount: {amount}", normal),
        ("Date: 12/03/2024", normal),
        (f"Transaction ID: {transaction_id}", normal),
        ("Status: Failed", normal),
    ]
    y = 260
    for text, font in lines:
        draw.text((60, y), text, font=font, fill=(20, 20, 20))
        y += 130
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def short_video_bytes(tmp_path: Path) -> bytes:
    """Three seconds of a washing machine whose display shows E21, filmed with a slow pan."""
    import cv2
    import numpy as np

    path = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (640, 480))
    scene = np.zeros((480, 760, 3), dtype=np.uint8)
    scene[:] = np.linspace(150, 210, 760, dtype=np.uint8)[None, :, None]  # lit wall
    cv2.rectangle(scene, (200, 60), (560, 460), (235, 235, 235), -1)  # the machine
    cv2.rectangle(scene, (200, 60), (560, 460), (90, 90, 90), 3)
    cv2.circle(scene, (380, 300), 110, (70, 70, 70), 8)  # the door
    cv2.rectangle(scene, (420, 85), (540, 135), (20, 40, 20), -1)  # the display
    cv2.putText(scene, "E21", (432, 127), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (90, 255, 90), 3)
    for frame_number in range(30):
        writer.write(scene[:, frame_number * 3 : frame_number * 3 + 640].copy())
    writer.release()
    return path.read_bytes()


def error_screenshot(message: str, code: str) -> bytes:
    """A phone screenshot of an app error dialog showing ``code``."""
    image = Image.new("RGB", (1080, 2160), (242, 242, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1080, 90), fill=(30, 30, 30))
    draw.rounded_rectangle((90, 700, 990, 1300), radius=40, fill="white", outline=(200, 200, 200))
    draw.text((150, 780), "Something went wrong", font=_font(60), fill=(20, 20, 20))
    draw.text((150, 920), message, font=_font(46), fill=(60, 60, 60))
    draw.text((150, 1030), f"Error code: {code}", font=_font(50), fill=(60, 60, 60))
    draw.text((820, 1200), "OK", font=_font(50), fill=(0, 100, 220))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
