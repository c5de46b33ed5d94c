"""Media intake and analysis (no Rasa import, no work at import time).

- ``helpdesk.media.intake.sniff(data)``: kind and MIME type from the bytes.
- ``helpdesk.media.analyze(data, purpose=...)``: the quality verdict, OCR, fields and barcodes
  (``Analysis.to_dict()`` is the JSON object of ``helpdesk analyze --json`` minus ``file``).
- ``helpdesk.media.analyze_isolated(...)``: the same in a child process, for servers: a
  native decoder crash costs that file its analysis (``corrupt``), a file past its time
  budget is refused with ``too_slow``; the server and other customers are unaffected.
- ``helpdesk.media.records``: media rows in the database and the erasure step.
- ``helpdesk.media.messages``: customer-facing reasons and advice in English and Spanish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helpdesk.media.analysis import Analysis

__all__ = ["PURPOSES", "Analysis", "analyze", "analyze_isolated"]

PURPOSES = ("photo", "label", "screenshot", "receipt", "video")


def analyze(data: bytes, *, purpose: str, language: str = "en") -> Analysis:
    """Analyse untrusted bytes for ``purpose``; never raises for bad input (see Analysis)."""
    from helpdesk.media.analysis import analyze as _analyze

    return _analyze(data, purpose=purpose, language=language)


def analyze_isolated(
    data: bytes,
    *,
    purpose: str,
    language: str = "en",
    timeout: float = 20.0,
    memory_mb: int = 1536,
) -> Analysis:
    """``analyze`` in a child process with a time budget and a memory limit (see
    ``helpdesk.media.isolation``)."""
    from helpdesk.media.isolation import analyze_isolated as _isolated

    return _isolated(data, purpose=purpose, language=language, timeout=timeout, memory_mb=memory_mb)


def __getattr__(name: str) -> Any:
    if name == "Analysis":
        from helpdesk.media.analysis import Analysis

        return Analysis
    raise AttributeError(name)
