"""Edits and provenance: what an agent is told about a file an editor touched."""

from __future__ import annotations

import io

from PIL import Image

from helpdesk.media.authenticity.provenance import ijg_quality, inspect_image, inspect_pdf
from tests.helpdesk.media.authenticity.evalset import DATA


def _photo(**exif_tags: object) -> bytes:
    with Image.open(DATA / "receipt_sroie_train_000.jpg") as image:
        exif = image.getexif()
        for tag, value in exif_tags.items():
            exif[int(tag.removeprefix("t"), 16)] = value
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


def test_a_receipt_saved_by_photoshop_says_so_and_a_plain_one_does_not() -> None:
    edited = inspect_image(_photo(t0131="Adobe Photoshop 25.1 (Windows)"))
    assert [s.code.value for s in edited] == ["editing_software"]
    assert "Photoshop" in edited[0].explanation
    assert inspect_image(_photo()) == []


def test_a_camera_photo_resaved_with_software_tables_is_noted() -> None:
    found = inspect_image(_photo(t010f="Canon"))
    assert [s.code.value for s in found] == ["non_camera_quantisation"]
    assert found[0].evidence["quality"] == 80


def test_ijg_quality_recognises_libjpeg_tables_only() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "JPEG", quality=63)
    with Image.open(buffer) as image:
        assert ijg_quality(list(image.quantization[0])) == 63
    assert ijg_quality([3] * 64) is None


def _pdf(producer: str, *, appended: bool = False) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 300), "white").save(buffer, "PDF")
    data = buffer.getvalue().replace(b"%%EOF", b"%%EOF", 1)
    info = f"<< /Producer ({producer}) >>".encode()
    data = data.rstrip() + b"\n"
    if appended:
        data += b"9 0 obj " + info + b" endobj\nstartxref\n0\n%%EOF\n"
    return data


def test_pdf_incremental_update_is_flagged() -> None:
    assert inspect_pdf(_pdf("x")) == []
    found = inspect_pdf(_pdf("x", appended=True))
    assert [s.code.value for s in found] == ["pdf_incremental_update"]
    assert found[0].evidence["updates"] == 1


def test_a_pdf_receipt_produced_by_a_word_processor_is_flagged() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 300), "white").save(buffer, "PDF", producer="Microsoft Word 2019")
    found = inspect_pdf(buffer.getvalue())
    assert [s.code.value for s in found] == ["pdf_editor"]
    assert found[0].evidence["value"] == "Microsoft Word 2019"
