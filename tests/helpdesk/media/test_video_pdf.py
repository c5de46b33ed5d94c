"""Videos (written with OpenCV) and PDFs (with and without a text layer)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from helpdesk.media import analyze

RECEIPT_LINES = [
    "Payment receipt",
    "Date: 2024-03-15",
    "Transaction ID: TXN8A23F90B12",
    "Amount: $1,234.56",
    "Status: successful",
]


def _video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> bytes:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path.read_bytes()


@pytest.fixture(scope="module")
def appliance_frames(make_text: Callable[..., Image.Image]) -> list[np.ndarray]:
    label = np.asarray(
        make_text(["MODEL NO: WM-8000X", "S/N: SN12345-ABC"], size=(960, 540), font_size=44)
    )
    # The customer moves (blurred frames), then holds still on the label (sharp ones).
    shaky = [cv2.GaussianBlur(label, (0, 0), 6) for _ in range(20)]
    steady = [label.copy() for _ in range(10)]
    return shaky + steady + shaky[:10]


def test_a_video_gives_duration_frames_and_the_sharpest_frame_read(
    tmp_path: Path, appliance_frames: list[np.ndarray]
) -> None:
    result = analyze(_video(tmp_path / "clip.mp4", appliance_frames), purpose="video")
    assert result.kind == "video" and result.mime == "video/mp4"
    assert result.accepted, result.problems
    assert result.metrics["frame_count"] == 40
    assert result.metrics["duration_s"] == pytest.approx(4.0, abs=0.2)
    assert 1 <= result.metrics["sampled_frames"] <= 12
    assert 20 <= result.metrics["best_frame"] < 30  # one of the steady frames
    assert "SN12345-ABC" in result.ocr.text


def test_a_video_with_no_sharp_frame_asks_to_film_steadily(
    tmp_path: Path, appliance_frames: list[np.ndarray]
) -> None:
    blurred = [cv2.GaussianBlur(f, (0, 0), 6) for f in appliance_frames[:20]]
    result = analyze(_video(tmp_path / "shaky.mp4", blurred), purpose="video")
    assert result.reason == "no_clear_frame"
    assert "hold the phone steady" in result.problems[0].message


def test_a_video_where_a_photo_is_needed_gets_guidance(
    tmp_path: Path, appliance_frames: list[np.ndarray]
) -> None:
    result = analyze(_video(tmp_path / "clip.mp4", appliance_frames[:5]), purpose="label")
    assert result.reason == "wrong_kind"


def test_a_photo_sent_for_the_video_step_is_judged_as_a_photo(scene_jpeg: bytes) -> None:
    result = analyze(scene_jpeg, purpose="video")
    assert result.accepted and result.kind == "image"


def _text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica), built by hand."""
    content = (
        "BT /F1 14 Tf 72 740 Td 18 TL "
        + " ".join("(" + line.replace("(", r"\(").replace(")", r"\)") + ") '" for line in lines)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def test_a_pdf_receipt_is_read_from_its_text_layer() -> None:
    result = analyze(_text_pdf(RECEIPT_LINES), purpose="receipt")
    assert result.accepted, result.problems
    assert result.mime == "application/pdf"
    assert result.metrics["text_layer"] is True and result.metrics["pages"] == 1
    assert "ocr" not in result.timings_ms  # no OCR needed
    assert result.ocr.confidence == 1.0
    values = {(f.type, f.value) for f in result.fields}
    assert {
        ("date", "2024-03-15"),
        ("transaction_id", "TXN8A23F90B12"),
        ("amount", "1234.56 USD"),
        ("payment_status", "successful"),
    } <= values


def test_a_scanned_pdf_is_rendered_and_read(make_text: Callable[..., Image.Image]) -> None:
    page = make_text(RECEIPT_LINES, size=(1240, 1754), font_name="DejaVuSans.ttf", font_size=40)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150)
    result = analyze(buffer.getvalue(), purpose="receipt")
    assert result.accepted, result.problems
    assert result.metrics["text_layer"] is False
    assert "TXN8A23F90B12" in result.ocr.text
    assert ("amount", "1234.56 USD") in {(f.type, f.value) for f in result.fields}


def test_broken_and_foreign_documents_are_refused() -> None:
    assert analyze(b"%PDF-1.4\n1 0 obj garbage", purpose="receipt").reason == "corrupt"
    docx = b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 64
    result = analyze(docx, purpose="receipt")
    assert result.reason == "unsupported_type"
    assert "PDF" in result.problems[0].message


def test_a_voice_note_is_accepted_with_its_length(tmp_path: Path) -> None:
    import shutil
    import subprocess

    assert shutil.which("ffmpeg"), "Debian's ffmpeg is part of the environment"
    note = tmp_path / "note.ogg"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
         "-c:a", "libopus", str(note)],
        check=True,
    )  # fmt: skip
    result = analyze(note.read_bytes(), purpose="voice")
    assert result.accepted and result.kind == "audio" and result.mime == "audio/ogg"
    assert result.metrics["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert result.ocr is None


def test_an_unreadable_voice_note_is_still_accepted() -> None:
    ogg = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x13OpusHead" + b"\x00" * 200
    result = analyze(ogg, purpose="voice")
    assert result.accepted and result.kind == "audio" and result.mime == "audio/ogg"
    assert result.ocr is None
