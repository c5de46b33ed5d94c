"""Retention: what is old enough to go, per kind of data, and the daily purge.

Each kind has a window in days (settings ``HELPDESK_RETENTION_*_DAYS``): ``media`` (files
and their analyses), ``inbox`` (WhatsApp message bodies and send records), ``transcripts``
(Rasa conversations), ``tickets`` (finished tickets with their messages) and ``audit``
(the audit trail, media views, sign-in attempts). A ticket that is not finished keeps its
evidence (its media, its messages) however old: it goes once the ticket is finished and its
window passed.

``PURGES`` holds the purge step of each kind; ``helpdesk.erasure.REGISTRY`` names the kind
of each customer's data next to its eraser (whatever erasure deletes for one customer,
purge deletes when old; ``tests/helpdesk/test_retention.py`` checks every kind there has a
purge here).
``purge(dry_run=True)`` counts without deleting; ``helpdesk purge [--dry-run]`` prints the
counts; ``run_daily`` is the loop the running product starts (see ``WhatsAppService``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import MetaData, Table, delete, func, inspect, or_, select
from sqlalchemy.orm import Session

from helpdesk import audit
from helpdesk.db import get_engine, session_scope
from helpdesk.db import rollup_marks as marks
from helpdesk.db.models import (
    InboxMessage,
    LoginAttempt,
    MediaRecord,
    MediaView,
    OutboundMessage,
    Ticket,
    TicketMessage,
)
from helpdesk.db.models.base import utcnow
from helpdesk.db.models.status import FINISHED
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from helpdesk.whatsapp.records import ERASED_TYPE

logger = logging.getLogger(__name__)

KINDS = ("media", "inbox", "transcripts", "tickets", "audit")
# Erasure leaves a wordless inbox row so "your data was deleted" can still be sent within
# WhatsApp's 24-hour window; it goes once that window is over.
TOMBSTONE_HOURS = 25
DAY_SECONDS = 24 * 3600


@dataclass
class PurgeReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def cutoffs(settings: Any = None, *, now: datetime | None = None) -> dict[str, datetime]:
    """The oldest moment each kind of data may come from (naive UTC)."""
    s = settings or get_settings()
    now = now or utcnow()
    days = {
        "media": s.retention_media_days,
        "inbox": s.retention_inbox_days,
        "transcripts": s.retention_transcripts_days,
        "tickets": s.retention_tickets_days,
        "audit": s.retention_audit_days,
    }
    return {kind: now - timedelta(days=value) for kind, value in days.items()}


def _evidence_ids(session: Session) -> set[int]:
    """Media of tickets that are not finished: kept until the ticket is."""
    rows = session.execute(select(Ticket.media_ids).where(Ticket.status.not_in(FINISHED)))
    return {int(m) for (ids,) in rows for m in (ids or []) if str(m).isdigit()}


def _open_ticket_senders(session: Session) -> set[str]:
    rows = session.execute(select(Ticket.sender_id).where(Ticket.status.not_in(FINISHED)))
    return {sender for (sender,) in rows}


def _count_or_delete(session: Session, model: Any, condition: Any, dry_run: bool) -> int:
    if dry_run:
        return session.execute(select(func.count()).select_from(model).where(condition)).scalar()
    return session.execute(delete(model).where(condition)).rowcount or 0


# --- purge steps, by kind -----------------------------------------------------------------


def purge_media(session: Session, *, before: datetime, dry_run: bool = False) -> int:
    """Media records older than ``before`` (not evidence of an unfinished ticket), and the
    stored objects no remaining record uses."""
    keep = _evidence_ids(session)
    old = [
        (record_id, digest)
        for record_id, digest in session.execute(
            select(MediaRecord.id, MediaRecord.sha256).where(MediaRecord.created_at < before)
        )
        if record_id not in keep
    ]
    if dry_run or not old:
        return len(old)
    ids = [record_id for record_id, _ in old]
    session.execute(delete(MediaRecord).where(MediaRecord.id.in_(ids)))
    hashes = {digest for _, digest in old}
    used = set(
        session.execute(select(MediaRecord.sha256).where(MediaRecord.sha256.in_(hashes))).scalars()
    )
    store = get_media_store()
    for digest in sorted(hashes - used):
        store.delete(digest)
    return len(ids)


def purge_inbox(session: Session, *, before: datetime, dry_run: bool = False) -> int:
    """Finished inbox rows (their bodies hold what customers wrote) and send records older
    than ``before``, and erasure tombstones once the 24-hour window is over. Unfinished
    rows stay: the worker still owes the customer an answer."""
    window_end = utcnow().replace(tzinfo=timezone.utc) - timedelta(hours=TOMBSTONE_HOURS)
    tombstone_before = int(window_end.timestamp())
    finished = or_(
        InboxMessage.status.in_(("done", "failed", "ignored"))
        & (InboxMessage.received_at < before),
        (InboxMessage.type == ERASED_TYPE) & (InboxMessage.timestamp < tombstone_before),
    )
    count = _count_or_delete(session, InboxMessage, finished, dry_run)
    return count + _count_or_delete(
        session, OutboundMessage, OutboundMessage.created_at < before, dry_run
    )


def purge_tickets(session: Session, *, before: datetime, dry_run: bool = False) -> int:
    """Finished tickets (and their messages) whose last change is older than ``before``."""
    ids = list(
        session.execute(
            select(Ticket.id).where(Ticket.status.in_(FINISHED), Ticket.updated_at < before)
        ).scalars()
    )
    if dry_run or not ids:
        return len(ids)
    session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
    return session.execute(delete(Ticket).where(Ticket.id.in_(ids))).rowcount or 0


def purge_audit(session: Session, *, before: datetime, dry_run: bool = False) -> int:
    views = _count_or_delete(session, MediaView, MediaView.viewed_at < before, dry_run)
    attempts = _count_or_delete(session, LoginAttempt, LoginAttempt.created_at < before, dry_run)
    return views + attempts + audit.purge(session, before=before, dry_run=dry_run)


def purge_transcripts(*, before: datetime, dry_run: bool = False, keep: set[str]) -> int:
    """Rasa conversations whose last event is older than ``before`` (not of a customer with
    an unfinished ticket): their events are deleted from the tracker store."""
    engine = get_engine(get_settings().tracker_store_url)
    if not inspect(engine).has_table("events"):
        return 0
    events = Table("events", MetaData(), autoload_with=engine)
    # Rasa stores epoch seconds; ``before`` is naive UTC.
    cutoff = before.replace(tzinfo=timezone.utc).timestamp()
    with engine.begin() as connection:
        stale = [
            sender
            for sender, last in connection.execute(
                select(events.c.sender_id, func.max(events.c.timestamp)).group_by(
                    events.c.sender_id
                )
            )
            if last is not None and float(last) < cutoff and sender not in keep
        ]
        if dry_run or not stale:
            return len(stale)
        connection.execute(delete(events).where(events.c.sender_id.in_(stale)))
    return len(stale)


# --- running it ---------------------------------------------------------------------------


# The purge step of each kind (transcripts: Rasa's store, ``purge_transcripts``).
# In the order the purge runs them (finished tickets first, as it always has).
PURGES = {
    "tickets": purge_tickets,
    "inbox": purge_inbox,
    "media": purge_media,
    "audit": purge_audit,
}


def purge(
    *,
    dry_run: bool = False,
    url: str | None = None,
    now: datetime | None = None,
    actor: str = audit.SYSTEM,
) -> PurgeReport:
    """Run every purge step with its kind's cutoff, in one transaction; a real purge goes
    into the audit trail with its counts (``actor``: ``system`` daily, ``cli`` by hand)."""
    limits = cutoffs(now=now)
    report = PurgeReport(dry_run=dry_run)
    with session_scope(url) as session:
        keep = _open_ticket_senders(session)
        if not dry_run:  # the dashboard's rollups of the purged days are recomputed
            marks.mark_before(session, limits=limits)
        for kind, step in PURGES.items():
            report.counts[kind] = step(session, before=limits[kind], dry_run=dry_run)
    report.counts["transcripts"] = purge_transcripts(
        before=limits["transcripts"], dry_run=dry_run, keep=keep
    )
    if not dry_run:
        with session_scope(url) as session:
            audit.record(session, action=audit.AuditAction.PURGE, actor=actor, detail=report.counts)
    verb = "would delete" if dry_run else "deleted"
    logger.info("Retention purge %s %s", verb, report.counts)
    return report


async def run_daily(*, url: str | None = None, first_delay: float = 60.0) -> None:
    """The product's own purge: shortly after start, then every 24 hours (until cancelled).
    Failures are logged and retried the next day; several replicas may run it (idempotent)."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            await asyncio.to_thread(purge, url=url)
        except Exception:
            logger.exception("The daily retention purge failed; it runs again tomorrow")
        await asyncio.sleep(DAY_SECONDS)
