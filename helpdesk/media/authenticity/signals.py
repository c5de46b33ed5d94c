"""What an authenticity check reports: a signal with a stable code, a severity, an
explanation an agent can follow, its evidence (ids, values), and where it has a place a
``region`` of the picture (fractions: left, top, right, bottom) that the console highlights.

Signals are for agents only. Nothing here is ever worded for, or sent to, the customer,
and no signal refuses a file or a claim: a person decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """``strong``: a person on the fraud queue should look before anything is granted;
    ``notable``: worth a look by whoever handles the case; ``info``: context."""

    STRONG = "strong"
    NOTABLE = "notable"
    INFO = "info"


class Code(str, enum.Enum):
    REUSED_OTHER_CUSTOMER = "reused_other_customer"
    REUSED_EARLIER_CASE = "reused_earlier_case"
    # The same picture as an earlier one, with its amount, date, id or payee changed.
    EDITED_COPY = "edited_copy"
    AMOUNT_MISMATCH = "amount_mismatch"
    DATE_MISMATCH = "date_mismatch"
    FUTURE_DATE = "future_date"
    TRANSACTION_REUSED = "transaction_id_reused"
    EDITING_SOFTWARE = "editing_software"
    DATES_INCONSISTENT = "metadata_dates_inconsistent"
    NON_CAMERA_QUANTISATION = "non_camera_quantisation"
    DOUBLE_COMPRESSION = "double_compression"
    PDF_EDITOR = "pdf_editor"
    PDF_INCREMENTAL_UPDATE = "pdf_incremental_update"
    ERROR_LEVEL_REGION = "error_level_region"
    TEXT_INCONSISTENT = "text_inconsistent"
    NOT_FINGERPRINTED = "not_fingerprinted"


@dataclass
class Signal:
    code: Code
    severity: Severity
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    # Where on the picture, as fractions (left, top, right, bottom); None: nowhere in
    # particular (a metadata field, a whole-file match).
    region: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "explanation": self.explanation,
            "evidence": self.evidence,
            "region": list(self.region) if self.region is not None else None,
        }


def strong(signals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The strong ones among stored signal dicts."""
    return [s for s in signals if s.get("severity") == Severity.STRONG.value]
