"""The two calls the rest of the product makes.

- ``inspect(data, mime=..., grey=...)`` during analysis (no database): provenance signals
  and the fingerprint, as the ``authenticity`` object of the analysis JSON:
  ``{"signals": [{code, severity, explanation, evidence}], "fingerprint": {...} | null}``.
- ``on_stored(session, media_id=..., sender_id=..., analysis=...)`` when an analysis is
  saved with its media record: indexes the fingerprint (and drops it from the stored JSON:
  the table holds it) and adds the reuse signals.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from helpdesk.media.authenticity import provenance, reuse
from helpdesk.media.authenticity.content import Content
from helpdesk.media.authenticity.fingerprint import Fingerprint, fingerprint
from helpdesk.media.authenticity.signals import Code, Severity, Signal

log = logging.getLogger(__name__)


def inspect(data: bytes | None, *, mime: str | None, grey: np.ndarray | None) -> dict[str, Any]:
    signals: list[Signal] = []
    found = None
    try:
        if data is not None and mime == "application/pdf":
            signals += provenance.inspect_pdf(data)
        elif data is not None and mime and mime.startswith("image/"):
            signals += provenance.inspect_image(data)
        if grey is not None:
            found = fingerprint(grey)
            if found is None:
                signals.append(
                    Signal(
                        Code.NOT_FINGERPRINTED,
                        Severity.INFO,
                        "This picture is too small or too plain to compare with other "
                        "claims; reuse of it cannot be checked.",
                        {"size": list(grey.shape[::-1])},
                    )
                )
    except Exception:  # a checker bug must not cost the customer the analysis
        log.exception("authenticity checks failed; the analysis goes on without them")
    return {
        "signals": [s.to_dict() for s in signals],
        "fingerprint": found.to_dict() if found is not None else None,
    }


def on_stored(
    session: Session, *, media_id: int, sender_id: str, analysis: dict[str, Any]
) -> dict[str, Any]:
    """The analysis to store: the fingerprint indexed, reuse signals added."""
    block = analysis.get("authenticity")
    if not isinstance(block, dict) or not block.get("fingerprint"):
        return analysis
    block = dict(block)
    data = block.pop("fingerprint")
    try:
        found = Fingerprint.from_dict(data)
    except (KeyError, TypeError, ValueError):
        log.warning("media %s: unreadable fingerprint, not indexed", media_id)
        return {**analysis, "authenticity": block}
    signals = reuse.record_and_check(
        session,
        media_id=media_id,
        sender_id=sender_id,
        fingerprint=found,
        content=Content.of(analysis),
    )
    # Signals of an earlier storing of this media are the index's to give again.
    from_index = ("reused", Code.EDITED_COPY.value)
    kept = [
        s for s in block.get("signals") or [] if not str(s.get("code", "")).startswith(from_index)
    ]
    block["signals"] = kept + [s.to_dict() for s in signals]
    return {**analysis, "authenticity": block}
