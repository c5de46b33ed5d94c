"""Run the analysis in worker processes, so a crash or a hang in a native decoder (libjpeg,
FFmpeg, PDFium, zbar, Tesseract) costs one file its analysis, never the server.

``analyze_isolated`` has the same answer as ``helpdesk.media.analyze``; when the worker dies
or runs past ``timeout`` the file is reported as ``corrupt`` and the pool is replaced. Workers
run Tesseract single-threaded (``OMP_THREAD_LIMIT=1``) and are kept between calls, so only
the first call pays for starting them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from helpdesk.media import limits
from helpdesk.media.analysis import ERROR, Analysis, analyze

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _work(data: bytes, purpose: str, language: str) -> Analysis:
    return analyze(data, purpose=purpose, language=language)


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # "spawn": a fresh interpreter, not a fork of a server holding sockets and locks.
            _pool = ProcessPoolExecutor(
                max_workers=max(1, os.cpu_count() or 1),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return _pool


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()  # a hung worker will not stop on its own
    pool.shutdown(wait=False, cancel_futures=True)


def analyze_isolated(
    data: bytes, *, purpose: str, language: str = "en", timeout: float = 120.0
) -> Analysis:
    """``analyze`` in a worker process; a crashed or hung worker gives ``corrupt``."""
    if purpose not in limits.PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    pool = _get_pool()
    try:
        return pool.submit(_work, bytes(data), purpose, language).result(timeout=timeout)
    except (BrokenProcessPool, FutureTimeout) as error:
        log.error("media analysis worker failed (%s); reported as corrupt", type(error).__name__)
        _discard_pool(pool)
        failed = Analysis(purpose=purpose, language=language)
        failed.problem("corrupt", ERROR)
        return failed


def shutdown() -> None:
    """Stop the workers (tests, and servers on exit)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
