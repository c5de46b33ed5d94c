"""Scratch files for decrypted media that never touch a disk.

Tools that only read paths (FFmpeg inside OpenCV, ffprobe, ffmpeg) get an anonymous
in-memory file (``memfd_create``) named ``/proc/self/fd/N``: it has no name in any folder,
so a crash, a kill or a power cut leaves no decrypted customer file behind in the system
temporary folder (where ``tempfile`` would put it). The file lives as long as its
descriptor; children get it with ``pass_fds``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class MemoryFile:
    fd: int

    @property
    def path(self) -> str:
        """The path this process (and a child given ``pass_fds=(fd,)``) opens it by."""
        return f"/proc/self/fd/{self.fd}"

    def read(self) -> bytes:
        size = os.fstat(self.fd).st_size
        return os.pread(self.fd, size, 0) if size else b""


@contextlib.contextmanager
def memory_file(data: bytes = b"", *, name: str = "helpdesk-media") -> Iterator[MemoryFile]:
    """An in-memory file holding ``data``; gone when the block ends or the process dies."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.lseek(fd, 0, os.SEEK_SET)
        yield MemoryFile(fd)
    finally:
        os.close(fd)
