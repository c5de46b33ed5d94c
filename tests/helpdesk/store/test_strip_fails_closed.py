"""Defect 10: location stripping fails closed. A file whose metadata cannot be removed is
cleaned another way (re-encoded) or kept out of the store with a reason; the customer's
GPS position is never stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from helpdesk.errors import MediaRejected
from helpdesk.store import get_media_store
from helpdesk.store.sanitize import strip_metadata

GPS = {1: "N", 2: (40.0, 25.0, 1.0), 3: "W", 4: (3.0, 42.0, 2.0)}


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = GPS  # GPSInfo IFD
    exif[0x010F] = "PhoneMaker"
    return exif


def _image(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, fmt, **options)
    return out.getvalue()


def _has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(0x8825)) or b"PhoneMaker" in data


def test_a_malformed_jpeg_with_gps_is_re_encoded_not_stored_as_received() -> None:
    good = _image("JPEG", exif=_exif_with_gps().tobytes())
    assert _has_gps(good)
    # Stray bytes after the first segment: the segment walker stops there, libjpeg skips
    # them ("extraneous bytes before marker") and decodes the picture.
    first_end = 4 + int.from_bytes(good[4:6], "big")
    broken = good[:first_end] + b"\x00\x00" + good[first_end:]
    clean = strip_metadata(broken, "image/jpeg")
    assert not _has_gps(clean)
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (64, 48)


@pytest.mark.parametrize(
    ("fmt", "mime"), [("TIFF", "image/tiff"), ("GIF", "image/gif"), ("WEBP", "image/webp")]
)
def test_tiff_gif_and_webp_lose_their_metadata(fmt: str, mime: str) -> None:
    options: dict[str, object] = {"exif": _exif_with_gps().tobytes()}
    if fmt == "GIF":
        options = {"comment": b"PhoneMaker at 40.25N 3.42W"}
    data = _image(fmt, **options)
    assert b"PhoneMaker" in data or _has_gps(data)
    clean = strip_metadata(data, mime)
    assert b"PhoneMaker" not in clean and not _has_gps(clean)


def test_undecodable_heic_and_garbage_are_kept_out_of_the_store(database_url) -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64 + b"GPS"
    with pytest.raises(MediaRejected) as refused:
        get_media_store().put(heic, mime="image/heic")
    assert refused.value.reason == "cannot_clean"
    with pytest.raises(MediaRejected):
        strip_metadata(b"\xff\xd8garbage" + b"\x00" * 20, "image/jpeg")


def test_a_pdf_loses_its_document_metadata() -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    document.new_page(200, 200)
    out = io.BytesIO()
    document.save(out)
    raw = out.getvalue()
    # The document information dictionary a phone scanner app writes (with its location).
    marker = b"/Keywords (GPS 40.25N 3.42W)"
    tail = raw.rfind(b"trailer")
    data = raw[:tail] + b"9999 0 obj\n<< " + marker + b" >>\nendobj\n" + raw[tail:]
    data = data.replace(b"trailer\n<<", b"trailer\n<< /Info 9999 0 R", 1)
    clean = strip_metadata(data, "application/pdf")
    assert b"GPS 40.25N" not in clean
    assert len(pdfium.PdfDocument(clean)) == 1
