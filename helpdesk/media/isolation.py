"""Run the analysis in a child process per file, so a crash, a hang or a memory blow-up in a
native decoder (libjpeg, FFmpeg, PDFium, zbar, Tesseract) costs one file its analysis,
never the server and never another customer's analysis.

``analyze_isolated`` has the same answer as ``helpdesk.media.analyze``. Each file gets a
fresh child forked from a fork server that has the analysis modules imported and the
Tesseract engine loaded already (a fork costs milliseconds, a fresh interpreter a second,
loading the English and Spanish models ~0.3 s), with an address-space limit
(``memory_mb``) and a wall-clock budget (``budget``, the whole analysis: every OCR pass,
PDF page and video frame). When the budget runs out the child is killed and the file is
refused with ``too_slow`` (the customer is asked for a simpler picture); when the child
dies or runs out of memory, with ``corrupt``. At most ``concurrency`` children run at once;
waiting for a slot does not count against a file's budget.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from helpdesk.media import limits
from helpdesk.media.analysis import analyze
from helpdesk.media.analysis_result import ERROR, Analysis

log = logging.getLogger(__name__)

DEFAULT_BUDGET = 20.0
DEFAULT_MEMORY_MB = 1536
STARTUP_TIMEOUT = 180.0
# Imported once in the fork server, so that every child starts with them loaded. "__main__"
# too: otherwise each child re-runs the server's main script (Rasa's CLI) before its work.
# helpdesk.media.preload loads the Tesseract engine there, so children inherit it warm;
# scipy.spatial (text line directions) and pyzbar are imported on first use, ~0.1 s a child.
PRELOAD = [
    "__main__",
    "numpy",
    "PIL.Image",
    "cv2",
    "pytesseract",
    "scipy.spatial",
    "pyzbar.pyzbar",
    "helpdesk.media.analysis",
    "helpdesk.media.preload",
]

_lock = threading.Lock()
_context: Any = None
_slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


class _Failed(Exception):
    """The child ended without an answer; ``code`` is the refusal to give."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def _get_context() -> Any:
    global _context
    with _lock:
        if _context is None:
            # "forkserver": children are forked from a clean server process, not from a
            # server holding sockets, threads and locks.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def _child(connection: Any, function: Callable[..., Any], args: tuple, memory_mb: int) -> None:
    import resource

    connection.send(("started", None))  # the budget counts from here, not the fork server's start
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result: Any = ("ok", function(*args))
    except MemoryError:
        result = ("memory", "out of memory")
    except BaseException as error:  # the parent reports it; the child must not hang
        result = ("error", f"{type(error).__name__}: {error}")
    try:
        connection.send(result)
    finally:
        connection.close()


def run_isolated(
    function: Callable[..., Any],
    *args: Any,
    budget: float = DEFAULT_BUDGET,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> Any:
    """``function(*args)`` in a fresh child process with a memory limit and a wall-clock
    budget; raises ``_Failed`` with the refusal code when no answer came back."""
    context = _get_context()
    with _slots:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child, args=(sender, function, args, memory_mb), daemon=True
        )
        started = time.monotonic()
        process.start()
        sender.close()
        try:
            # The first child waits for the fork server to import the analysis modules.
            if not receiver.poll(STARTUP_TIMEOUT):
                raise _Failed("corrupt", "the analysis worker did not start")
            try:
                receiver.recv()
                if not receiver.poll(budget):
                    raise _Failed("too_slow", f"no answer within {budget:.1f}s")
                status, value = receiver.recv()
            except (EOFError, OSError) as error:
                raise _Failed("corrupt", f"the worker died ({process.exitcode})") from error
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join(5)
        if status == "ok":
            return value
        code = "corrupt" if status in ("memory", "error") else status
        raise _Failed(code, f"{value} after {time.monotonic() - started:.1f}s")


def _work(data: bytes, purpose: str, language: str) -> Analysis:
    return analyze(data, purpose=purpose, language=language)


def analyze_isolated(
    data: bytes,
    *,
    purpose: str,
    language: str = "en",
    timeout: float = DEFAULT_BUDGET,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> Analysis:
    """``analyze`` in a child process; a file past its budget (``timeout`` seconds in all)
    is refused with ``too_slow``, a crashed or exhausted child gives ``corrupt``."""
    if purpose not in limits.PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    try:
        return run_isolated(
            _work, bytes(data), purpose, language, budget=timeout, memory_mb=memory_mb
        )
    except _Failed as failure:
        log.error("media analysis stopped (%s): %s", failure.code, failure)
        failed = Analysis(purpose=purpose, language=language)
        failed.problem(failure.code, ERROR)
        return failed


def shutdown() -> None:
    """Kept for callers of the former pool: children end with their file, nothing to stop."""
