"""At handoff: the case's authenticity signals (its media's, and the claim against what the
media read), as ticket flags, and whether the case belongs on the fraud queue.

A strong signal moves the case to ``FRAUD_QUEUE``, where a person decides. The customer is
told nothing different (the handoff notice does not name queues) and nothing is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.db.models import MediaRecord
from helpdesk.media.authenticity.claims import check_claim, transaction_reused
from helpdesk.media.authenticity.signals import Severity

FRAUD_QUEUE = "fraud_review"
FLAG_PREFIX = "authenticity: "
# "authenticity: amount_mismatch [strong] — …" (flags written before the strength was shown
# in brackets count as strength "unknown").
_FLAG = re.compile(r"^authenticity: ([a-z0-9_]+)(?: \[([a-z]+)\])?")


@dataclass
class CaseReview:
    signals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        return any(s.get("severity") == Severity.STRONG.value for s in self.signals)

    @property
    def flags(self) -> list[str]:
        return [
            f"{FLAG_PREFIX}{s['code']} [{s.get('severity', 'notable')}] — {s['explanation']}"
            for s in self.signals
        ]


def media_signals(media: Sequence[MediaRecord]) -> list[dict[str, Any]]:
    found = []
    for record in media:
        for signal in ((record.analysis or {}).get("authenticity") or {}).get("signals") or []:
            if signal.get("severity") != Severity.INFO.value:
                found.append({**signal, "media_id": record.id})
    return found


def review_case(
    session: Session,
    *,
    sender_id: str,
    media: Sequence[MediaRecord],
    said: str,
    confirmed: Sequence[dict[str, Any]] = (),
    today: date | None = None,
) -> CaseReview:
    read = [f for r in media for f in (r.analysis or {}).get("fields") or []]
    claim = check_claim(
        read_fields=read, said=said, confirmed=confirmed, today=today or date.today()
    )
    ids = [str(f.get("value")) for f in [*read, *confirmed] if f.get("type") == "transaction_id"]
    claim += transaction_reused(session, transaction_ids=ids, sender_id=sender_id)
    return CaseReview([*media_signals(media), *[s.to_dict() for s in claim]])


def review_stored(
    *,
    sender_id: str,
    media_ids: Sequence[int],
    said: str,
    confirmed: Sequence[dict[str, Any]] = (),
    url: str | None = None,
) -> CaseReview:
    """``review_case`` for media ids, in its own transaction (for the fix loop, before a
    ticket exists). An unreachable database gives an empty review: triage goes on."""
    from helpdesk.db import session_scope
    from helpdesk.errors import HelpdeskError

    try:
        with session_scope(url) as session:
            media = [m for m in (session.get(MediaRecord, i) for i in media_ids) if m is not None]
            media = [m for m in media if m.sender_id == sender_id]
            return review_case(
                session, sender_id=sender_id, media=media, said=said, confirmed=confirmed
            )
    except HelpdeskError:
        return CaseReview()
