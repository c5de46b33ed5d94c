"""Voice notes and other audio: their length, for the agent deciding to listen (nothing is
judged yet; transcription comes later)."""

from __future__ import annotations

import shutil
import subprocess

from helpdesk.scratch import memory_file


def duration(data: bytes) -> float | None:
    """Length of an audio file in seconds from ffprobe, or None when it cannot tell. (A file,
    not a pipe: Ogg keeps its length at the end, which ffprobe cannot seek to in a pipe.)"""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    # In memory, not in the temp folder: a crash must not leave the voice note behind.
    with memory_file(data, name="helpdesk-audio") as handle:
        command = [
            ffprobe, "-v", "error", "-show_entries", "format=duration",
            "-of", "default=noprint_wrappers=1:nokey=1", handle.path,
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command, capture_output=True, timeout=20, check=False, pass_fds=(handle.fd,)
            )
            return float(result.stdout.decode().strip())
        except (OSError, subprocess.SubprocessError, ValueError):
            return None
