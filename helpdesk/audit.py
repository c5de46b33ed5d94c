"""The audit trail for admins: who signed in (or failed to), who viewed which ticket and
which customer file, erasures, retention purges and changes to agents.

``record`` adds one event to the caller's transaction; ``events`` filters them (actor,
action, date range) for the console's ``/audit`` page and ``events_csv`` exports the same
rows. Events live ``HELPDESK_RETENTION_AUDIT_DAYS`` (``purge``, run by the daily retention
purge). On a customer's erasure their key is taken out of the trail (``erase``): the fact
that an agent opened ticket 12 stays, whose ticket it was does not.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from helpdesk.db.models import AuditEvent
from helpdesk.db.models.base import utcnow

MAX_ROWS = 10_000  # one page or export; narrow the dates for more
# A ticket page reloads itself when the customer writes: one view per agent and ticket in
# this long is enough to answer "who looked at it".
VIEW_REPEAT = timedelta(minutes=10)


class AuditAction(str, Enum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"
    TICKET_VIEW = "ticket_view"
    MEDIA_VIEW = "media_view"
    ERASURE = "erasure"
    PURGE = "purge"
    AGENT_CREATED = "agent_created"
    AGENT_DISABLED = "agent_disabled"
    AGENT_ENABLED = "agent_enabled"
    AGENT_ROLE = "agent_role"
    AGENT_PASSWORD = "agent_password"

    def __str__(self) -> str:
        return self.value


# Actors that are not agents.
CLI, CUSTOMER, SYSTEM = "cli", "customer", "system"


def record(
    session: Session,
    *,
    action: AuditAction,
    actor: str,
    actor_id: int | None = None,
    target: str | None = None,
    sender_id: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            action=str(action),
            actor=(actor or "?")[:64],
            actor_id=actor_id,
            target=target[:128] if target else None,
            sender_id=sender_id,
            ip=ip[:64] if ip else None,
            detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
        )
    )


def ticket_viewed(
    session: Session, *, actor: str, actor_id: int | None, ticket_id: int, sender_id: str
) -> None:
    """An agent opened a ticket (page or API); repeats within ``VIEW_REPEAT`` are one view."""
    target = f"ticket {ticket_id}"
    recent = session.execute(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor == actor,
            AuditEvent.action == str(AuditAction.TICKET_VIEW),
            AuditEvent.target == target,
            AuditEvent.at >= utcnow() - VIEW_REPEAT,
        )
        .limit(1)
    ).first()
    if recent is None:
        record(
            session,
            action=AuditAction.TICKET_VIEW,
            actor=actor,
            actor_id=actor_id,
            target=target,
            sender_id=sender_id,
        )


def events(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = MAX_ROWS,
) -> list[AuditEvent]:
    """Newest first; ``since`` inclusive, ``until`` exclusive (naive UTC)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return list(session.execute(query.limit(limit)).scalars())


def actors(session: Session) -> list[str]:
    return [a for (a,) in session.execute(select(AuditEvent.actor).distinct().order_by("actor"))]


CSV_COLUMNS = ("at", "actor", "action", "target", "ip", "detail")


def row(event: AuditEvent) -> dict[str, str]:
    return {
        "at": event.at.strftime("%Y-%m-%d %H:%M:%S") + " UTC",
        "actor": event.actor,
        "action": event.action,
        "target": event.target or "",
        "ip": event.ip or "",
        "detail": event.detail or "",
    }


def events_csv(rows: Iterable[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for event in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow({k: _inert(v) for k, v in row(event).items()})
    return out.getvalue()


def _inert(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def erase(session: Session, *, sender_id: str) -> int:
    """Erasure step: the customer's key leaves the trail (the events themselves stay)."""
    result = session.execute(
        update(AuditEvent).where(AuditEvent.sender_id == sender_id).values(sender_id=None)
    )
    return result.rowcount or 0


def purge(session: Session, *, before: datetime, dry_run: bool = False) -> int:
    """Events older than ``before`` (the audit retention window)."""
    where = AuditEvent.at < before
    if dry_run:
        return int(session.execute(select(func.count(AuditEvent.id)).where(where)).scalar_one())
    return session.execute(delete(AuditEvent).where(where)).rowcount or 0
