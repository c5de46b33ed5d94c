"""Sniffing: the real type of a file comes from its bytes, whatever it claims to be."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from helpdesk.media.intake import sniff


def _image(fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind", "mime"),
    [
        (_image("JPEG"), "image", "image/jpeg"),
        (_image("PNG"), "image", "image/png"),
        (_image("GIF"), "image", "image/gif"),
        (_image("WEBP"), "image", "image/webp"),
        (_image("BMP"), "image", "image/bmp"),
        (_image("TIFF"), "image", "image/tiff"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video", "video/mp4"),
        (b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00isom3gp4", "video", "video/3gpp"),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom", "audio", "audio/mp4"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image", "image/heic"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", "audio", "audio/ogg"),
        (b"ID3\x04\x00" + b"\x00" * 20, "audio", "audio/mpeg"),
        (b"#!AMR\n" + b"\x00" * 10, "audio", "audio/amr"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "document", "application/pdf"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml", "document",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)  # fmt: skip
def test_known_types_are_recognised_from_bytes(data: bytes, kind: str, mime: str) -> None:
    found = sniff(data)
    assert found is not None
    assert (found.kind, found.mime) == (kind, mime)


@pytest.mark.parametrize(
    "data", [b"", b"hello, this is text", b"<html><body>not a photo</body></html>", b"\x00" * 64]
)
def test_unknown_bytes_give_none(data: bytes) -> None:
    assert sniff(data) is None
