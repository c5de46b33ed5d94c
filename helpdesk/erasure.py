"""Erasure on request: delete everything the product holds about one customer.

``REGISTRY`` is the one list of the product's personal data, shared by erasure and the
retention purge (``helpdesk.retention``): each feature adds a ``Step`` with its eraser
(``"module:function"`` taking ``(session, *, sender_id)``, returning how many records it
deleted) and, where its data ages out, its purge step (``(session, *, before, dry_run)``)
and the retention ``kind`` whose window applies. All erasers run in one transaction, so an
erasure is all or nothing. Rasa's own tracker is erased by ``rasa_addons.tracker_store``
when the erasure action runs (and purged by ``helpdesk.retention.purge_transcripts``).
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from helpdesk.db import session_scope
from helpdesk.db.models import ErasureRecord


@dataclass(frozen=True)
class Step:
    erase: str | None  # None: erasure reaches this data through another step
    purge: str | None = None
    kind: str | None = None  # the retention window (helpdesk.retention.KINDS)


# Order matters where rows reference each other: dependants first.
REGISTRY: tuple[Step, ...] = (
    Step("helpdesk.outcomes:erase"),
    Step("helpdesk.tickets.handoff:erase_external"),  # needs the local tickets' external ids
    Step("helpdesk.tickets.core:erase", "helpdesk.retention:purge_tickets", "tickets"),
    Step("helpdesk.whatsapp.outbound:erase_all", "helpdesk.retention:purge_inbox", "inbox"),
    Step("helpdesk.media.records:erase", "helpdesk.retention:purge_media", "media"),
    Step("helpdesk.customers:erase"),
    # Media views go with the customer's tickets on erasure; sign-in attempts name agents.
    Step(None, "helpdesk.retention:purge_audit", "audit"),
)
ERASERS: tuple[str, ...] = tuple(step.erase for step in REGISTRY if step.erase)

Eraser = Callable[..., int]


@dataclass
class ErasureReport:
    subject_hash: str
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


# Separates this use of the media keys from encryption (a key is never used twice as is).
_HASH_CONTEXT = b"helpdesk erasure record v1"


def _hash_keys() -> list[bytes]:
    """One hashing key per media key, the current one first (``HELPDESK_MEDIA_KEY``)."""
    from helpdesk.store import get_media_store

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


def load_step(spec: str) -> Eraser:
    module_name, _, function_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def erase_customer(*, sender_id: str, url: str | None = None) -> ErasureReport:
    """Run every eraser for ``sender_id`` and keep an anonymous record that it happened."""
    report = ErasureReport(subject_hash=subject_hash(sender_id))
    with session_scope(url) as session:
        for spec in ERASERS:
            report.deleted[spec] = load_step(spec)(session, sender_id=sender_id)
        _record(session, report)
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
    from sqlalchemy import MetaData, Table, delete, inspect

    from helpdesk.db import get_engine
    from helpdesk.settings import get_settings

    engine = get_engine(url or get_settings().tracker_store_url)
    if not inspect(engine).has_table("events"):
        return 0
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        result = connection.execute(delete(events).where(events.c.sender_id == sender_id))
    return result.rowcount or 0
