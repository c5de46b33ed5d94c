"""Decode untrusted images safely, at the reduced scale the checks need.

- Pillow is told which single format to expect (the sniffed one), so a file cannot be
  opened as some other, riskier format.
- The pixel count is checked from the header, before any pixel is decoded; Pillow's own
  decompression-bomb warning is turned into an error as well.
- JPEGs are decoded with DCT scaling (``Image.draft``) to the smallest of 1/1..1/8 that is
  still at least the requested size: a 12-MP photo is decoded as 1008x756 for the 960-px
  quality checks. That skips the inverse DCT and colour work of the rest, not the Huffman
  decoding of every coefficient, which is most of the time left (~45 ms for a 3-MB 12-MP
  file on the 2-core dev machine, ~42 ms even at 1/8).
- Animated GIF/WebP: the first frame. Palette, alpha (composited on white, as WhatsApp
  shows stickers on a light background), CMYK, 16-bit and 1-bit modes end up 8-bit grey:
  every check (exposure, blur, glare, OCR, barcodes) works on luminance.
- EXIF orientation is applied, so "up" is where the customer saw it.
- Truncated and corrupt files are refused with ``corrupt``, never half-decoded.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

import numpy as np

from helpdesk.errors import MediaRejected
from helpdesk.media import limits
from helpdesk.media.messages import message

# Signs that an image file carries another file (a "polyglot"): these are refused since the
# original bytes go to agents' browsers. Motion-photo MP4 trailers and MPF previews are
# ordinary and allowed.
_POLYGLOT_TAIL = (b"PK\x05\x06", b"PK\x03\x04")
_POLYGLOT_ANYWHERE = re.compile(rb"<\s*(?:script|html|svg|iframe)\b|<\?php", re.IGNORECASE)


# Largest block handed to the JPEG decoder at once (bytes); a WhatsApp photo is far smaller.
_JPEG_BLOCK = 16 << 20


@dataclass
class LoadedImage:
    grey: np.ndarray  # HxW uint8 luminance, oriented, at the decoded scale
    width: int  # original pixel size (oriented)
    height: int
    frames: int  # >1 for animations
    source_mode: str  # Pillow mode before conversion (e.g. CMYK, I;16, P)
    orientation: int  # EXIF orientation applied (1 = none)
    # HxWx3 uint8 RGB on the grey's pixel grid, kept only when asked for (``keep_colour``)
    # from a format decoded in colour anyway (PNG, WebP, GIF...): helpdesk/media/ink.py
    # then needs no second decode. Not for JPEG: its grey is decoded as luminance only,
    # and a separate colour decode reduced by libjpeg is cheaper than decoding the
    # colour at full size (dev receipts: 61 + 61 ms against 111 ms for all twelve; a
    # 12-MP photo 87 + 39 ms against 161 ms).
    colour: np.ndarray | None = None


def reject(code: str, detail: str) -> MediaRejected:
    return MediaRejected(code, f"{message(code)} ({detail})")


def check_polyglot(data: bytes, mime: str) -> None:
    """Refuse an image that also is an archive, a PDF or a web page."""
    if mime == limits.PDF:
        return
    if b"%PDF-" in data[:1024] or any(sig in data[-65536:] for sig in _POLYGLOT_TAIL):
        raise reject("polyglot", "another file format is embedded")
    if _POLYGLOT_ANYWHERE.search(data[:65536]) or _POLYGLOT_ANYWHERE.search(data[-65536:]):
        raise reject("polyglot", "markup or script is embedded")


def load_image(data: bytes, mime: str, *, long_side: int, keep_colour: bool = False) -> LoadedImage:
    """Decode the first frame of an image, oriented, with its long side ≥ ``long_side`` when
    the format allows reduced decoding (then resized to exactly ``long_side``);
    ``keep_colour``: also keep its colour where it is decoded anyway (LoadedImage.colour)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = limits.PIL_FORMATS.get(mime)
    if fmt is None:
        raise reject("unsupported_type", mime)
    with warnings.catch_warnings():
        # Pillow warns from ~89 MP; our own per-format caps below decide instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            cap = limits.MAX_PIXELS_JPEG if fmt == "JPEG" else limits.MAX_PIXELS_OTHER
            if width * height > cap or width <= 0 or height <= 0:
                raise reject("decompression_bomb", f"{width}x{height} pixels")
            frames = int(getattr(image, "n_frames", 1) or 1)
            orientation = int(image.getexif().get(0x0112, 1) or 1)
            source_mode = image.mode
            if fmt == "JPEG":
                scale_to = _draft_request(width, height, long_side)
                # Luminance only: every check works on grey, and libjpeg then skips the
                # colour planes entirely.
                image.draft("L" if image.mode == "RGB" else image.mode, scale_to)
                # Pillow feeds libjpeg 64-KB blocks; each time a block ends inside a row of
                # blocks libjpeg suspends and decodes that row again. One read of the whole
                # file (capped) decodes every row once: the same pixels, ~3 % sooner.
                image.decodermaxblock = max(image.decodermaxblock, min(len(data), _JPEG_BLOCK))
            image.seek(0)
            image.load()
            colour = None
            if keep_colour and fmt != "JPEG" and image.mode in _COLOUR_MODES:
                colour = image if image.mode == "RGB" else image.convert("RGB")
                colour = ImageOps.exif_transpose(colour) if orientation != 1 else colour
            image = _to_grey(image)
            image = ImageOps.exif_transpose(image) if orientation != 1 else image
        except MediaRejected:
            raise
        except Image.DecompressionBombError as error:
            raise reject("decompression_bomb", str(error)) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise reject("corrupt", str(error) or type(error).__name__) from error
        except MemoryError as error:  # pragma: no cover
            raise reject("decompression_bomb", "out of memory") from error
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    grey = _resize_long_side(np.asarray(image), long_side)
    rgb = None if colour is None else _resize_long_side(np.asarray(colour), long_side)
    return LoadedImage(grey, width, height, frames, source_mode, orientation, rgb)


# Modes whose pixels carry colour (what ink.py looks for); grey and 16-bit modes do not.
_COLOUR_MODES = ("RGB", "RGBA", "P", "YCbCr", "CMYK")


def _draft_request(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The size to ask ``draft`` for: keeps the long side ≥ ``long_side``."""
    factor = max(width, height) / max(long_side, 1)
    if factor <= 1:
        return width, height
    return max(1, int(width / factor)), max(1, int(height / factor))


def _to_grey(image):  # type: ignore[no-untyped-def]
    from PIL import Image

    mode = image.mode
    if mode == "L":
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # Pillow's convert("L") clips 16-bit values at 255; scale the real range instead.
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or array.max() > 255 else 255.0
        grey = np.clip(array * (255.0 / top), 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L")
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if mode in ("CMYK", "LAB", "YCbCr", "HSV"):
        image = image.convert("RGB")  # Pillow handles Adobe's inverted CMYK
    return image.convert("L")


def _resize_long_side(rgb: np.ndarray, long_side: int) -> np.ndarray:
    import cv2

    height, width = rgb.shape[:2]
    current = max(height, width)
    if current <= long_side:
        return np.ascontiguousarray(rgb)
    scale = long_side / current
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
