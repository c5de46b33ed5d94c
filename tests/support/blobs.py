"""Small, distinct, real files for tests that store media without caring what it shows.

The store refuses what it cannot clean (anything that is not a real image, recording, video
or PDF), so an arbitrary byte string is no longer a storable blob: ``png_blob`` is.
"""

from __future__ import annotations

import io


def png_blob(seed: bytes) -> bytes:
    """A PNG whose pixels are ``seed``'s bytes: distinct seeds give distinct files, which
    the store keeps byte for byte (a PNG without text chunks has nothing to strip)."""
    from PIL import Image

    pixels = seed or b"\x00"
    out = io.BytesIO()
    Image.frombytes("L", (len(pixels), 1), pixels).save(out, "PNG")
    return out.getvalue()
