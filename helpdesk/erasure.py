"""Erasure on request: delete everything the product holds about one customer.

``REGISTRY`` is the one list of the product's personal data, shared by erasure and the
retention purge (``helpdesk.retention``): each feature adds a ``Step`` with its eraser
(taking ``(session, *, sender_id)``, returning how many records it deleted) and, where its
data ages out, the retention ``kind`` whose window and purge step apply. All erasers run
in one transaction, so an erasure is all or nothing. Rasa's own tracker is erased by
``rasa_addons.tracker_store`` when the erasure action runs (and purged by
``helpdesk.retention.purge_transcripts``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table, delete, inspect
from sqlalchemy.orm import Session

from helpdesk import audit, customers, outcomes
from helpdesk.db import get_engine, session_scope
from helpdesk.db import rollup_marks as marks
from helpdesk.db.models import ErasureRecord
from helpdesk.media import records as media_records
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from helpdesk.tickets import core as tickets
from helpdesk.tickets import handoff
from helpdesk.whatsapp import identity as whatsapp_identity
from helpdesk.whatsapp import records as whatsapp_records

Eraser = Callable[..., int]


@dataclass(frozen=True)
class Step:
    """One kind of personal data: how erasure deletes one customer's (``erase``) and which
    retention window ages it out (``kind``, one of ``helpdesk.retention.KINDS``; the purge
    function of each kind is in ``helpdesk.retention.PURGES``, which also lists kinds no
    customer's erasure reaches, such as the audit trail's)."""

    erase: Eraser
    kind: str | None = None

    @property
    def name(self) -> str:
        """``module:function``: the key of an erasure report."""
        return f"{self.erase.__module__}:{self.erase.__name__}"


# Order matters where rows reference each other: dependants first.
REGISTRY: tuple[Step, ...] = (
    Step(outcomes.erase),
    Step(audit.erase),  # the customer's key leaves the audit trail; the events stay
    Step(handoff.erase_external),  # needs the local tickets' external ids
    Step(tickets.erase, "tickets"),
    Step(whatsapp_records.erase_all, "inbox"),
    Step(media_records.erase, "media"),
    Step(customers.erase),
    Step(whatsapp_identity.erase),  # last: the others find the person's keys through it
)
ERASERS: tuple[Step, ...] = REGISTRY


@dataclass
class ErasureReport:
    subject_hash: str
    deleted: dict[str, int] = field(default_factory=dict)
    # The ids the person's data was stored under (a WhatsApp customer's phone number and
    # BSUID may both have been one); Rasa's tracker is keyed by the same ids.
    keys: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


# Separates this use of the media keys from encryption (a key is never used twice as is).
_HASH_CONTEXT = b"helpdesk erasure record v1"


def _hash_keys() -> list[bytes]:
    """One hashing key per media key, the current one first (``HELPDESK_MEDIA_KEY``)."""
    ring = get_media_store().keys
    ordered = [ring.current, *(k for k in ring.keys if k != ring.current)]
    return [hmac.new(ring.keys[k], _HASH_CONTEXT, hashlib.sha256).digest() for k in ordered]


def subject_hash(sender_id: str, *, key: bytes | None = None) -> str:
    """A keyed hash (HMAC-SHA256) of the sender id: an operator holding the keys can answer
    "was this number erased?", while the table alone cannot be reversed by hashing every
    phone number (as an unsalted SHA-256 could)."""
    secret = key if key is not None else _hash_keys()[0]
    return hmac.new(secret, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def was_erased(session: Session, *, sender_id: str) -> bool:
    """Whether an erasure was recorded for ``sender_id`` (under any media key still held)."""
    from sqlalchemy import select

    hashes = [subject_hash(sender_id, key=key) for key in _hash_keys()]
    found = session.execute(
        select(ErasureRecord.id).where(ErasureRecord.subject_hash.in_(hashes)).limit(1)
    ).first()
    return found is not None


def erase_customer(
    *, sender_id: str, url: str | None = None, actor: str = audit.CUSTOMER
) -> ErasureReport:
    """Run every eraser for ``sender_id`` and keep an anonymous record that it happened.

    ``sender_id`` may also be a WhatsApp customer's phone number or BSUID: the person behind
    it is erased under every key their data is stored under. ``actor`` (the customer by
    default, ``cli`` from ``helpdesk erase``) goes into the audit trail with the counts.
    """
    report = ErasureReport(subject_hash=subject_hash(sender_id))
    with session_scope(url) as session:
        # Every key the person's data is under (phone, BSUID, a merged earlier identity).
        keys = whatsapp_identity.keys_for(session, identifier=sender_id)
        report.keys = keys
        # The dashboard's rollups keep no personal data, but their days change.
        marks.mark_senders(session, sender_ids=keys)
        for step in ERASERS:
            report.deleted[step.name] = sum(step.erase(session, sender_id=k) for k in keys)
        _record(session, report)
        audit.record(
            session,
            action=audit.AuditAction.ERASURE,
            actor=actor,
            target=f"subject {report.subject_hash[:16]}",
            detail={"deleted": report.total},
        )
    return report


def _record(session: Session, report: ErasureReport) -> None:
    session.add(
        ErasureRecord(
            subject_hash=report.subject_hash,
            summary=json.dumps(report.deleted, sort_keys=True),
        )
    )


def erase_tracker(*, sender_id: str, url: str | None = None) -> int:
    """Delete a conversation from Rasa's SQL tracker store (outside a conversation turn).

    The store's table is Rasa's ``events`` (one row per event, keyed by ``sender_id``);
    when the store has never been created there is nothing to delete.
    """
    engine = get_engine(url or get_settings().tracker_store_url)
    if not inspect(engine).has_table("events"):
        return 0
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        result = connection.execute(delete(events).where(events.c.sender_id == sender_id))
    return result.rowcount or 0
