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

from helpdesk.media.analysis import analyze
from helpdesk.media.analysis_result import Analysis
from helpdesk.media.isolation import analyze_isolated

__all__ = ["PURPOSES", "Analysis", "analyze", "analyze_isolated"]

PURPOSES = ("photo", "label", "screenshot", "receipt", "video")
