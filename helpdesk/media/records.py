"""Media records in the database: what each customer sent, where it is stored, its analysis.

The bytes are in the encrypted media store (``helpdesk.store``); a record points at them by
sha256. Several records may share one object (the same file sent twice, or by two people),
so erasing one customer deletes an object only when no other customer's record uses it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpdesk.db.models.base import utcnow
from helpdesk.db.models.media import MediaRecord
from helpdesk.media.authenticity.check import on_stored
from helpdesk.store import get_media_store

__all__ = [
    "MediaRecord",
    "erase",
    "find_media",
    "get_media",
    "list_media",
    "save_media",
    "set_analysis",
]


def save_media(
    session: Session,
    *,
    sender_id: str,
    sha256: str,
    kind: str,
    mime: str,
    size: int,
    source: str,
    caption: str | None = None,
    wa_media_id: str | None = None,
    purpose: str | None = None,
    analysis: dict[str, Any] | None = None,
) -> MediaRecord:
    """Record one received file (already stored with ``get_media_store().put``)."""
    record = MediaRecord(
        sender_id=sender_id,
        sha256=sha256,
        kind=kind,
        mime=mime,
        size=size,
        source=source,
        caption=caption,
        wa_media_id=wa_media_id,
        purpose=purpose,
        analysis=analysis,
        analysed_at=utcnow() if analysis is not None else None,
    )
    session.add(record)
    session.flush()
    if analysis is not None:
        record.analysis = on_stored(
            session, media_id=record.id, sender_id=sender_id, analysis=analysis
        )
    return record


def set_analysis(
    session: Session,
    *,
    media_id: int,
    analysis: dict[str, Any],
    purpose: str | None = None,
    sender_id: str | None = None,
) -> MediaRecord | None:
    """Attach (or replace) the analysis of a record; ``None`` if the record is gone (or,
    with ``sender_id``, is someone else's)."""
    record = get_media(session, media_id=media_id, sender_id=sender_id)
    if record is None:
        return None
    record.analysis = on_stored(
        session, media_id=media_id, sender_id=record.sender_id, analysis=analysis
    )
    record.analysed_at = utcnow()
    if purpose is not None:
        record.purpose = purpose
    session.flush()
    return record


def get_media(
    session: Session, *, media_id: int, sender_id: str | None = None
) -> MediaRecord | None:
    """The record ``media_id``; with ``sender_id``, only if that customer sent it (an id
    named in a customer's turn must never reach another customer's file)."""
    record = session.get(MediaRecord, media_id)
    if record is None or (sender_id is not None and record.sender_id != sender_id):
        return None
    return record


def find_media(session: Session, *, sender_id: str, wa_media_id: str) -> MediaRecord | None:
    """The customer's record of the WhatsApp media id ``wa_media_id``, if one was made."""
    return session.execute(
        select(MediaRecord)
        .where(MediaRecord.sender_id == sender_id, MediaRecord.wa_media_id == wa_media_id)
        .order_by(MediaRecord.id)
        .limit(1)
    ).scalar_one_or_none()


def list_media(session: Session, *, sender_id: str) -> list[MediaRecord]:
    """A customer's media, oldest first."""
    return list(
        session.execute(
            select(MediaRecord)
            .where(MediaRecord.sender_id == sender_id)
            .order_by(MediaRecord.created_at, MediaRecord.id)
        ).scalars()
    )


def erase(session: Session, *, sender_id: str) -> int:
    """Erasure step: delete the customer's media records and the stored objects that no
    other customer's record references; returns the number of records deleted.

    Objects are deleted after the rows are gone from this transaction; if the transaction
    later rolls back, an object may be missing for a surviving record (the safe direction
    for an erasure request: never keep what was asked to be erased).
    """
    hashes = set(
        session.execute(
            select(MediaRecord.sha256).where(MediaRecord.sender_id == sender_id)
        ).scalars()
    )
    result = session.execute(delete(MediaRecord).where(MediaRecord.sender_id == sender_id))
    if hashes:
        still_used = set(
            session.execute(
                select(MediaRecord.sha256).where(MediaRecord.sha256.in_(hashes))
            ).scalars()
        )
        store = get_media_store()
        for digest in sorted(hashes - still_used):
            store.delete(digest)
    return result.rowcount or 0
