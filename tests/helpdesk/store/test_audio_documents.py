"""Audio and non-PDF documents are never stored as received: a recording is re-muxed by
ffmpeg without its tags (names, places, notes), a file that is not a real recording is
refused, and an office document or archive is refused with a reason the customer reads."""

from __future__ import annotations

import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from helpdesk.errors import MediaRejected
from helpdesk.media.intake import sniff
from helpdesk.media.messages import message
from helpdesk.store import get_media_store
from helpdesk.store.sanitize import strip_metadata

SECRET_TAG = "Calle Mayor 5 Madrid 40.4168,-3.7038"


def _recording(tmp_path: Path, suffix: str, codec: list[str]) -> bytes:
    out = tmp_path / f"note{suffix}"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=d=0.5", *codec,
         "-metadata", f"title={SECRET_TAG}", "-metadata", f"location={SECRET_TAG}",
         "-metadata", "artist=Ana Garcia", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    return out.read_bytes()


@pytest.mark.parametrize(
    ("suffix", "codec", "mime"),
    [
        (".ogg", ["-c:a", "libopus"], "audio/ogg"),  # a WhatsApp voice note
        (".mp3", ["-c:a", "libmp3lame"], "audio/mpeg"),
        (".m4a", ["-c:a", "aac"], "audio/mp4"),
    ],
)
def test_a_recordings_tags_are_removed_and_it_still_plays(
    tmp_path: Path, suffix: str, codec: list[str], mime: str
) -> None:
    data = _recording(tmp_path, suffix, codec)
    assert SECRET_TAG.encode() in data and sniff(data).mime == mime
    clean = strip_metadata(data, mime)
    assert SECRET_TAG.encode() not in clean and b"Ana Garcia" not in clean
    assert sniff(clean).mime == mime
    cleaned = tmp_path / f"clean{suffix}"
    cleaned.write_bytes(clean)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(cleaned)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    assert float(probe.stdout) == pytest.approx(0.5, abs=0.1)


def test_bytes_that_only_look_like_a_voice_note_are_refused(tmp_path: Path) -> None:
    fake = b"OggS\x00\x02" + b"\x00" * 20 + b"not a recording, a script: rm -rf /" * 40
    assert sniff(fake).mime == "audio/ogg"
    with pytest.raises(MediaRejected) as refused:
        get_media_store().put(fake, mime="audio/ogg")
    assert refused.value.reason == "cannot_clean"


def _docx() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("docProps/core.xml", f"<dc:creator>{SECRET_TAG}</dc:creator>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [_docx(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, b"PK\x03\x04" + b"\x00" * 60],
    ids=["docx-with-macro", "ole2-doc", "zip"],
)
def test_a_document_that_is_not_a_pdf_is_refused_with_a_reason(data: bytes) -> None:
    found = sniff(data)
    assert found is not None and found.kind == "document"
    with pytest.raises(MediaRejected) as refused:
        get_media_store().put(data, mime=found.mime)
    assert refused.value.reason == "document_type"
    assert "PDF" in message("document_type", "en") and "PDF" in message("document_type", "es")
