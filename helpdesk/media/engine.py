"""Tesseract in this process, through its C API (libtesseract), loaded once per thread.

Every ``tesseract`` command starts by loading the English and Spanish models and word
lists: about 0.3 s of CPU on the 2-core dev machine, more than reading a receipt's line
or a probe band costs, and a picture is read 3-8 times (orientation probe, page, re-scaled
page, date lines). Here each thread keeps one initialised engine, so a picture pays for
the load once per analysis process. The engine is the library the ``tesseract`` command
uses, with the same settings (languages, ``--oem 1``, ``--psm``) on the same pixels, and
gives the same TSV; Tesseract resets its per-page state (the language tried first) at the
start of every page.

``image_to_data`` answers like ``pytesseract.image_to_data(..., output_type=DICT)``; a
read past ``timeout`` stops (Tesseract's own deadline) with ``RuntimeError``, as
pytesseract's timeout does. The picture never goes to a temporary file.

Why not the ``tesserocr`` package: its wheel bundles its own Tesseract (5.5.4 in
tesserocr 2.13.0) and Leptonica, while the product is calibrated on the system's
``tesseract-ocr`` (5.3.0 on Debian 12); a different build reads differently. These few
C calls keep the exact library the command runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from helpdesk.settings import get_settings

_LIBRARY = "libtesseract.so.5"
_LEPTONICA_QUIET = 6  # L_SEVERITY_NONE
_lock = threading.Lock()
_lib: Any = None
_free: dict[tuple[str, str], list[Any]] = {}  # idle engines per (models folder, languages)
_lent = 0  # engines in use by a thread right now
_made = 0  # engines this process initialised itself (not inherited through a fork)


def _before_fork() -> None:
    # Nothing may change the pool while the process is copied: the child must see it whole.
    _lock.acquire()


def _after_fork_in_parent() -> None:
    _lock.release()


def _after_fork_in_child() -> None:
    """A forked child keeps the idle engines only when none was in use at the fork: an
    engine (or Tesseract's shared state) caught in the middle of a read in another thread is
    a copy of a half-done read, so then the child starts afresh and loads its own."""
    global _lock, _lent, _made
    if _lent:
        _free.clear()  # the copies are left alone (never deleted: the parent owns them)
    _lent = _made = 0
    _lock = threading.Lock()  # the parent's lock is held by the thread that forked


os.register_at_fork(
    before=_before_fork,
    after_in_parent=_after_fork_in_parent,
    after_in_child=_after_fork_in_child,
)


def _library() -> Any:
    global _lib
    with _lock:
        if _lib is None:
            # The engine's OpenMP reads this when the library loads (see ocr.py).
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            lib = ctypes.CDLL(ctypes.util.find_library("tesseract") or _LIBRARY)
            pointer, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
            lib.TessBaseAPICreate.restype = pointer
            lib.TessBaseAPIInit2.argtypes = [pointer, text, text, number]
            lib.TessBaseAPISetVariable.argtypes = [pointer, text, text]
            lib.TessBaseAPISetPageSegMode.argtypes = [pointer, number]
            lib.TessBaseAPISetImage.argtypes = [pointer, pointer, number, number, number, number]
            lib.TessBaseAPIRecognize.argtypes = [pointer, pointer]
            lib.TessBaseAPIGetTsvText.argtypes = [pointer, number]
            lib.TessBaseAPIGetTsvText.restype = pointer
            lib.TessBaseAPIClear.argtypes = [pointer]
            lib.TessBaseAPIDelete.argtypes = [pointer]
            lib.TessDeleteText.argtypes = [pointer]
            lib.TessMonitorCreate.restype = pointer
            lib.TessMonitorSetDeadlineMSecs.argtypes = [pointer, number]
            lib.TessMonitorDelete.argtypes = [pointer]
            with contextlib.suppress(OSError, AttributeError):
                # Leptonica's notes on odd boxes went to the command's stderr; not to ours.
                leptonica = ctypes.CDLL(ctypes.util.find_library("lept") or "liblept.so.5")
                leptonica.setMsgSeverity(_LEPTONICA_QUIET)
            _lib = lib
        return _lib


def models_dir() -> str:
    """The folder of Tesseract's models (HELPDESK_TESSDATA_DIR); "" for the system's."""
    path = get_settings().tessdata_path
    return str(path) if path else ""


def _new_engine(languages: str, folder: str) -> Any:
    global _made
    lib = _library()
    handle = lib.TessBaseAPICreate()
    # --tessdata-dir: None is Tesseract's own default (TESSDATA_PREFIX or the system's).
    datapath = folder.encode() if folder else None
    if lib.TessBaseAPIInit2(handle, datapath, languages.encode(), 1) != 0:  # --oem 1
        lib.TessBaseAPIDelete(handle)
        where = folder or "the system's tessdata"
        raise RuntimeError(f"Tesseract could not load the {languages} models from {where}")
    # Its progress notes ("Estimating resolution as ...") are not ours to log.
    lib.TessBaseAPISetVariable(handle, b"debug_file", os.devnull.encode())
    with _lock:
        _made += 1
    return handle


@contextmanager
def _borrowed(languages: str) -> Iterator[Any]:
    """An initialised engine for ``languages``, for one read: engines are kept per process
    (a child forked while none was in use inherits the idle ones, see
    ``_after_fork_in_child``) and lent to one thread at a time."""
    global _lent
    key = (models_dir(), languages)
    with _lock:
        free = _free.setdefault(key, [])
        handle = free.pop() if free else None
        _lent += 1
    try:
        if handle is None:
            handle = _new_engine(languages, key[0])
        yield handle
    finally:
        with _lock:
            _lent -= 1
            if handle is not None:
                _free.setdefault(key, []).append(handle)


def warm(languages: str) -> None:
    """Load an engine for ``languages`` now, idle, so that processes forked from this one
    start with its models in memory (helpdesk/media/preload.py)."""
    with _borrowed(languages):
        pass


def engines_made_here() -> int:
    """How many engines this process loaded itself; a child forked from a warm fork server
    that has only read with the one it inherited says 0."""
    return _made


_HEADER = (
    "level page_num block_num par_num line_num word_num left top width height conf text"
).split()


def image_to_data(grey: np.ndarray, *, lang: str, psm: int, timeout: float) -> dict[str, list]:
    """Words, lines and blocks of a grey picture as Tesseract's TSV columns."""
    lib = _library()
    pixels = np.ascontiguousarray(grey, dtype=np.uint8)
    with _borrowed(lang) as handle:
        return _columns(_read(lib, handle, pixels, psm, timeout))


def _read(lib: Any, handle: Any, pixels: np.ndarray, psm: int, timeout: float) -> str:
    height, width = pixels.shape
    lib.TessBaseAPISetPageSegMode(handle, psm)
    lib.TessBaseAPISetImage(handle, pixels.ctypes.data, width, height, 1, pixels.strides[0])
    monitor = lib.TessMonitorCreate()
    try:
        if timeout:
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout * 1000)))
        if lib.TessBaseAPIRecognize(handle, monitor) != 0:
            raise RuntimeError("Tesseract process timeout")
        found = lib.TessBaseAPIGetTsvText(handle, 0)
        try:
            tsv = ctypes.string_at(found).decode("utf-8", "replace") if found else ""
        finally:
            if found:
                lib.TessDeleteText(found)
    finally:
        lib.TessMonitorDelete(monitor)
        lib.TessBaseAPIClear(handle)
    return tsv


def _columns(tsv: str) -> dict[str, list]:
    """pytesseract's DICT shape (its ``file_to_dict``): a list per column, digits as ints,
    the text column as it is; the whole TSV is stripped first, as pytesseract does."""
    rows = [row.split("\t") for row in tsv.strip().split("\n")] if tsv.strip() else []
    last = len(_HEADER) - 1
    if rows and len(rows[-1]) <= last:
        rows[-1].append("")  # the last row's empty text cell, lost to the strip
    result: dict[str, list] = {name: [] for name in _HEADER}
    for index, name in enumerate(_HEADER):
        for cells in rows:
            if len(cells) <= index:
                continue
            value: Any = cells[index]
            if index != last and value.isdigit():
                value = int(value)
            result[name].append(value)
    return result
