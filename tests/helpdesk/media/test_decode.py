"""Untrusted files: bombs, broken and disguised files, odd pixel formats. Never a crash."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from helpdesk.media import analyze


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def _reason(data: bytes, purpose: str = "photo") -> str | None:
    result = analyze(data, purpose=purpose)
    return result.reason


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    rng = np.random.default_rng(5)
    pixels = rng.integers(60, 200, size=(480, 640, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    image.paste((30, 30, 30), (100, 100, 300, 250))
    return image


def test_a_png_declaring_gigapixels_is_a_decompression_bomb() -> None:
    data = bytearray(_png(Image.new("L", (64, 64), 128)))
    ihdr = bytearray(data[12:29])  # chunk type + 13 bytes of IHDR data
    ihdr[4:12] = struct.pack(">II", 60000, 60000)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    result = analyze(bytes(data), purpose="photo")
    assert result.reason == "decompression_bomb"
    assert not result.accepted
    assert "far too big" in result.problems[0].message


def test_a_jpeg_declaring_gigapixels_is_a_decompression_bomb(photo: Image.Image) -> None:
    data = bytearray(_jpeg(photo))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    assert _reason(bytes(data)) == "decompression_bomb"


def test_truncated_and_garbled_files_are_corrupt(photo: Image.Image) -> None:
    data = _jpeg(photo)
    assert _reason(data[: len(data) // 2]) == "corrupt"
    assert _reason(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20) == "corrupt"
    assert _reason(_png(photo)[:300]) == "corrupt"


def test_files_carrying_other_files_are_refused(photo: Image.Image) -> None:
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.txt", "hello")
    assert _reason(_jpeg(photo) + archive.getvalue()) == "polyglot"
    assert _reason(_jpeg(photo) + b"<script>alert(1)</script>") == "polyglot"
    pdf_in_comment = _jpeg(photo, comment=b"%PDF-1.4 1 0 obj")
    assert _reason(pdf_in_comment) == "polyglot"


def test_types_are_taken_from_the_bytes_and_the_purpose(photo: Image.Image) -> None:
    assert _reason(b"just some text, named photo.jpg") == "unsupported_type"
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    assert _reason(heic) == "unsupported_type"
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 100
    assert _reason(mp4, "label") == "wrong_kind"
    assert "the kind of file I need" in analyze(mp4, purpose="label").problems[0].message
    assert _reason(b"%PDF-1.4\n", "photo") == "wrong_kind"


def test_oversized_files_are_refused_before_decoding() -> None:
    data = b"\xff\xd8\xff\xe0" + b"\x00" * (31 * 1024 * 1024)
    result = analyze(data, purpose="photo")
    assert result.reason == "too_large"
    assert "decode" not in result.timings_ms


def _animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (400, 300), (10, 10, 10))] + [
        Image.new("RGB", (400, 300), (240 - 20 * i, 240, 240)) for i in range(2)
    ]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animated_images_are_judged_by_their_first_frame(fmt: str) -> None:
    result = analyze(_animation(fmt), purpose="photo")
    assert result.metrics["frames"] == 3
    assert result.metrics["median_level"] < 20  # the dark first frame, not the bright ones


def test_cmyk_jpeg_decodes_like_its_rgb_original(photo: Image.Image) -> None:
    rgb = analyze(_jpeg(photo), purpose="photo")
    cmyk = analyze(_jpeg(photo.convert("CMYK")), purpose="photo")
    assert cmyk.metrics["source_mode"] == "CMYK"
    assert abs(cmyk.metrics["brightness"] - rgb.metrics["brightness"]) < 0.05


def test_16_bit_png_keeps_its_real_brightness() -> None:
    levels = np.tile(np.linspace(0, 65535, 640, dtype=np.uint16), (480, 1))
    image = Image.fromarray(levels)
    assert image.mode.startswith("I;16")
    result = analyze(_png(image), purpose="photo")
    assert 0.4 < result.metrics["brightness"] < 0.6  # a naive 8-bit convert gives ~1.0


def test_transparent_palette_images_are_seen_on_white() -> None:
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((20, 20, 120, 255), (100, 100, 200, 200))
    palette = image.convert("P", palette=Image.ADAPTIVE)
    palette.info["transparency"] = palette.getpixel((0, 0))
    result = analyze(_png(palette), purpose="photo")
    assert result.metrics["median_level"] > 240


def test_exif_orientation_is_applied(photo: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    result = analyze(_jpeg(photo, exif=exif.tobytes()), purpose="photo")
    assert (result.metrics["width"], result.metrics["height"]) == (480, 640)
    assert result.metrics["orientation"] == 6


def test_mangled_files_never_raise(photo: Image.Image) -> None:
    rng = np.random.default_rng(11)
    originals = [_jpeg(photo), _png(photo), _animation("GIF"), _animation("WEBP")]
    for original in originals:
        for _ in range(8):
            data = bytearray(original)
            for position in rng.integers(0, len(data), size=12):
                data[int(position)] = int(rng.integers(0, 256))
            cut = int(rng.integers(len(data) // 3, len(data) + 1))
            result = analyze(bytes(data[:cut]), purpose="photo")
            assert isinstance(result.accepted, bool)
            assert all(p.code and p.message for p in result.problems)
