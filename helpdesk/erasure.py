"""Erasure on request: delete everything the product holds about one customer.

Each feature that stores personal data adds its eraser to ``ERASERS``: a function that takes
``(session, *, sender_id)`` and returns how many records it deleted (reported under
``"module:function"``). All erasers run in one transaction, so an erasure is all or nothing.
Rasa's own tracker is erased by ``rasa_addons.tracker_store`` when the erasure action runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table, delete, inspect
from sqlalchemy.orm import Session

from helpdesk import customers, outcomes
from helpdesk.db import get_engine, session_scope
from helpdesk.db.models import ErasureRecord
from helpdesk.media import records as media_records
from helpdesk.settings import get_settings
from helpdesk.tickets import core as tickets
from helpdesk.whatsapp import identity as whatsapp_identity
from helpdesk.whatsapp import records as whatsapp_records

Eraser = Callable[..., int]

# Order matters where rows reference each other: dependants first.
ERASERS: tuple[Eraser, ...] = (
    outcomes.erase,
    tickets.erase,
    whatsapp_records.erase_all,
    media_records.erase,
    customers.erase,
    whatsapp_identity.erase,
)


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


def subject_hash(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()


def _name(eraser: Eraser) -> str:
    return f"{eraser.__module__}:{eraser.__name__}"


def erase_customer(*, sender_id: str, url: str | None = None) -> ErasureReport:
    """Run every eraser for ``sender_id`` and keep an anonymous record that it happened.

    ``sender_id`` may also be a WhatsApp customer's phone number or BSUID: the person behind
    it is erased under every key their data is stored under.
    """
    report = ErasureReport(subject_hash=subject_hash(sender_id))
    with session_scope(url) as session:
        keys = whatsapp_identity.keys_for(session, identifier=sender_id)
        report.keys = keys
        for eraser in ERASERS:
            report.deleted[_name(eraser)] = sum(eraser(session, sender_id=k) for k in keys)
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
    engine = get_engine(url or get_settings().tracker_store_url)
    if not inspect(engine).has_table("events"):
        return 0
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        result = connection.execute(delete(events).where(events.c.sender_id == sender_id))
    return result.rowcount or 0
