"""What ``analyze`` answers: an ``Analysis`` (its problems, metrics, OCR, fields, barcodes and
timings) and the severities of its problems.

Severities: ``error`` (the file is not usable for this purpose: ask again), ``warning``
(usable, could be better), ``info`` (noted, nothing to do).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpdesk.media.barcodes import Barcode
from helpdesk.media.fields import Field
from helpdesk.media.messages import message
from helpdesk.media.ocr_text import OcrResult

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass
class Problem:
    code: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass
class Analysis:
    purpose: str
    kind: str | None = None
    mime: str | None = None
    problems: list[Problem] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    ocr: OcrResult | None = None
    fields: list[Field] = field(default_factory=list)
    barcodes: list[Barcode] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    language: str = "en"
    authenticity: dict[str, Any] = field(default_factory=lambda: {"signals": []})

    @property
    def accepted(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def reason(self) -> str | None:
        """The code of the first blocking problem (what to tell the customer first)."""
        return next((p.code for p in self.problems if p.severity == ERROR), None)

    def problem(self, code: str, severity: str) -> None:
        if not any(p.code == code for p in self.problems):
            self.problems.append(Problem(code, severity, message(code, self.language)))

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "kind": self.kind,
                "mime": self.mime,
                "accepted": self.accepted,
                "problems": [p.to_dict() for p in self.problems],
                "metrics": self.metrics,
                "ocr": self.ocr.to_dict() if self.ocr is not None else None,
                "fields": [f.to_dict() for f in self.fields],
                "barcodes": [b.to_dict() for b in self.barcodes],
                "authenticity": self.authenticity,
                "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            }
        )


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones, so the result is JSON as it is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@contextmanager
def timed(analysis: Analysis, name: str) -> Iterator[None]:
    """Adds the time spent in the block to ``analysis.timings_ms[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        spent = (time.perf_counter() - start) * 1000
        analysis.timings_ms[name] = analysis.timings_ms.get(name, 0.0) + spent
