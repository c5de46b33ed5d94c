"""The drawing kit of the example pictures (``scripts/make_examples.py``): one palette, the
fonts and their fingerprint, the supersampled ``Pen``, and the decorations the pictures
share (the framing guide, the badge, Code 39 barcodes, a phone's status bar and nav pill).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

SS = 2  # supersampling factor

# One soft palette for every picture.
BG = "#EEF2F5"
INK = "#2B3440"
MUTED = "#6B7785"
LINE = "#D5DCE3"
WHITE = "#FFFFFF"
GREEN = "#2EA56B"
RED = "#D9534F"
BLUE = "#3C7DD9"
CARD_TOP = "#E8C48F"
CARD_FRONT = "#D9A96A"
CARD_SIDE = "#C28E52"
CARD_DARK = "#8F6234"

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_FILES = {
    "sans": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
    "mono": ("DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf"),
}

# Code 39 (narrow/wide bar-space patterns) for the characters our serials use, so the
# barcodes on the labels are real and scan with the project's own barcode reader.
CODE39 = {
    "0": "nnnwwnwnn", "1": "wnnwnnnnw", "2": "nnwwnnnnw", "3": "wnwwnnnnn",
    "4": "nnnwwnnnw", "5": "wnnwwnnnn", "6": "nnwwwnnnn", "7": "nnnwnnwnw",
    "8": "wnnwnnwnn", "9": "nnwwnnwnn", "A": "wnnnnwnnw", "C": "wnwnnwnnn",
    "K": "wnnnnnnww", "*": "nwnnwnwnn",
}  # fmt: skip


def font_path(style: str) -> str | None:
    """The TrueType file used for ``style``, or None when none is installed."""
    for name in FONT_FILES[style]:
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return str(path)
    return None


@cache
def font(style: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_path(style)
    if path:
        return ImageFont.truetype(path, size * SS)
    # Bare machines: Pillow's bundled font. It lacks symbols like "•", so keep text ASCII.
    return ImageFont.load_default(size=size * SS)


def font_fingerprint() -> str:
    """Names the fonts (by content hash) and FreeType that shape the text of every picture."""
    parts = []
    for style in sorted(FONT_FILES):
        path = font_path(style)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16] if path else "default"
        parts.append(f"{style}={Path(path).name if path else 'pillow'}:{digest}")
    parts.append(f"freetype={features.version('freetype2')}")
    return ";".join(parts)


class Pen:
    """Draws in output pixel coordinates on a supersampled canvas."""

    def __init__(self, width: int, height: int, bg: str = BG) -> None:
        self.size = (width, height)
        self.img = Image.new("RGB", (width * SS, height * SS), bg)
        self.d = ImageDraw.Draw(self.img)

    @staticmethod
    def _s(values) -> list[int]:
        return [round(v * SS) for v in values]

    def _pts(self, pts) -> list[tuple[int, int]]:
        return [(round(x * SS), round(y * SS)) for x, y in pts]

    def rect(self, box, fill=None, r=0, outline=None, width=0) -> None:
        self.d.rounded_rectangle(
            self._s(box), radius=r * SS, fill=fill, outline=outline, width=width * SS
        )

    def ellipse(self, box, fill=None, outline=None, width=0) -> None:
        self.d.ellipse(self._s(box), fill=fill, outline=outline, width=width * SS)

    def circle(self, cx, cy, r, **kw) -> None:
        self.ellipse((cx - r, cy - r, cx + r, cy + r), **kw)

    def poly(self, pts, fill=None, outline=None, width=0) -> None:
        self.d.polygon(self._pts(pts), fill=fill, outline=outline, width=width * SS)

    def line(self, pts, fill=INK, width=2) -> None:
        self.d.line(self._pts(pts), fill=fill, width=width * SS, joint="curve")

    def arc(self, box, start, end, fill=INK, width=2) -> None:
        self.d.arc(self._s(box), start, end, fill=fill, width=width * SS)

    def text(self, xy, s, size=24, style="sans", fill=INK, anchor="la") -> None:
        self.d.text(self._pts([xy])[0], s, font=font(style, size), fill=fill, anchor=anchor)

    def text_width(self, s, size=24, style="sans") -> float:
        return self.d.textlength(s, font=font(style, size)) / SS

    def shadow(self, shape: Callable[[ImageDraw.ImageDraw], None], blur=18, alpha=70) -> None:
        """Soft shadow: ``shape`` draws onto a mask (in supersampled pixels), which is blurred."""
        mask = Image.new("L", self.img.size, 0)
        shape(ImageDraw.Draw(mask, "L"), alpha)
        mask = mask.filter(ImageFilter.GaussianBlur(blur * SS))
        self.img.paste(Image.new("RGB", self.img.size, "#55606B"), (0, 0), mask)

    def finish(self) -> Image.Image:
        return self.img.resize(self.size, Image.Resampling.LANCZOS)


def frame_guide(p: Pen, inset=28, arm=70) -> None:
    """Green corner brackets: the 'this is how to frame it' guide."""
    w, h = p.size
    for x, y, dx, dy in ((inset, inset, 1, 1), (w - inset, inset, -1, 1),
                         (inset, h - inset, 1, -1), (w - inset, h - inset, -1, -1)):  # fmt: skip
        p.line([(x + dx * arm, y), (x, y), (x, y + dy * arm)], fill=GREEN, width=6)


def good_badge(p: Pen, x=56, y=52, label="Good photo") -> None:
    tw = p.text_width(label, 26, "bold")
    p.rect((x, y, x + tw + 92, y + 60), fill=GREEN, r=30)
    p.circle(x + 32, y + 30, 19, fill=WHITE)
    p.line([(x + 22, y + 31), (x + 30, y + 39), (x + 43, y + 22)], fill=GREEN, width=5)
    p.text((x + 64, y + 30), label, 26, "bold", WHITE, "lm")


def barcode(p: Pen, x, y, text, module=3.0, height=90) -> float:
    """Draws ``*text*`` as Code 39 bars; returns the barcode's width."""
    cx = x
    for ch in f"*{text}*":
        for i, kind in enumerate(CODE39[ch]):
            width = module * (2.5 if kind == "w" else 1)
            if i % 2 == 0:
                p.d.rectangle(p._s((cx, y, cx + width, y + height)), fill=INK)
            cx += width
        cx += module  # inter-character gap
    return cx - x


def status_bar(p: Pen, dark_text=INK) -> None:
    w = p.size[0]
    p.text((40, 36), "9:41", 26, "bold", dark_text, "lm")
    for i in range(4):  # signal
        p.rect((w - 178 + i * 12, 44 - 6 - i * 5, w - 170 + i * 12, 46), fill=dark_text, r=2)
    cx, cy = w - 108, 48  # wi-fi
    for r in (24, 16, 8):
        p.arc((cx - r, cy - r, cx + r, cy + r), 225, 315, fill=dark_text, width=4)
    p.rect((w - 78, 26, w - 34, 48), outline=dark_text, width=2, r=5)  # battery
    p.rect((w - 74, 30, w - 48, 44), fill=dark_text, r=3)
    p.rect((w - 32, 33, w - 28, 41), fill=dark_text, r=1)


def nav_pill(p: Pen, color=INK) -> None:
    w, h = p.size
    p.rect((w / 2 - 80, h - 26, w / 2 + 80, h - 18), fill=color, r=4)
