"""Defect 5: decrypted media never lands in the system temporary folder, where a crash in
the middle of an analysis would leave it behind."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from helpdesk.media import analyze
from helpdesk.store.sanitize import strip_metadata
from tests.helpdesk.capture.images import short_video_bytes


@pytest.fixture
def video(tmp_path: Path) -> bytes:
    return short_video_bytes(tmp_path)


@pytest.fixture
def voice_note() -> bytes:
    return subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "sine=frequency=440:duration=2", "-c:a", "libopus", "-f", "ogg", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


@pytest.fixture
def temp_during_tools(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, video: bytes, voice_note: bytes
) -> list[list[str]]:
    """What the system temp folder holds at the moment each external tool runs (what a crash
    at that moment would leave behind)."""
    import cv2

    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    seen: list[list[str]] = []
    real_run, real_capture = subprocess.run, cv2.VideoCapture

    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sorted(p.name for p in folder.rglob("*")))
        return real_run(*args, **kwargs)

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sorted(p.name for p in folder.rglob("*")))
        return real_capture(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(cv2, "VideoCapture", capture)
    return seen


def test_video_analysis_and_stripping_leave_nothing_in_temp(video, temp_during_tools) -> None:
    result = analyze(video, purpose="video")
    assert result.kind == "video" and result.metrics.get("frame_count")
    stripped = strip_metadata(video, "video/mp4")
    assert stripped and stripped != b""
    assert temp_during_tools  # the tools did run
    assert all(listing == [] for listing in temp_during_tools), temp_during_tools


def test_voice_note_duration_leaves_nothing_in_temp(voice_note, temp_during_tools) -> None:
    result = analyze(voice_note, purpose="voice")
    assert result.metrics.get("duration_s") == pytest.approx(2.0, abs=0.1)
    assert temp_during_tools and all(listing == [] for listing in temp_during_tools)
