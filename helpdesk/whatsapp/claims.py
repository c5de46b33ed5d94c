"""The durable inbox's rows: storing, due customers, claims, leases, outcomes.

Small data-access functions on the caller's session (``helpdesk.whatsapp.inbox`` runs them
in its worker, ``service.store_events`` in the webhook's transaction). On PostgreSQL a
claim locks the customer's oldest unfinished row with ``SKIP LOCKED``, and the due-senders
query runs on one worker at a time (``due_senders``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from helpdesk.db.models import InboxMessage
from helpdesk.db.models.base import utcnow
from helpdesk.whatsapp.ids import is_bsuid
from helpdesk.whatsapp.states import InboxStatus
from helpdesk.whatsapp.webhook import Inbound

# pg_try_advisory_xact_lock's key for the due-senders query (any fixed 64-bit number no
# other part of the product uses; b"hdinbox1").
DUE_SENDERS_LOCK = 0x6864696E626F7831


@dataclass(frozen=True)
class InboxItem:
    id: int
    wamid: str
    sender_id: str
    type: str
    timestamp: int
    message: dict[str, Any]
    profile_name: str | None
    attempts: int
    # The WhatsApp username the webhook gave (users without a shared phone number have one).
    username: str | None = None
    # Set by ``claim_next`` when the row's processor died ``max_attempts`` times: the row is
    # already marked failed, only the customer is left to tell.
    poisoned: bool = False
    # What the worker's ``prepare`` found in the claim's transaction (``claim_and_prepare``).
    prepared: Any = None
    # Whether the customer had another unfinished message when this one was claimed (True
    # when unknown): if not, the worker need not ask for one after this turn.
    more: bool = True
    # Where the customer's replies go, ``(phone, user_id)``, as the claim found it
    # (PostgreSQL's claim reads it in the same statement; None: not read): the turn's
    # replies need not ask (``identity.address`` the way they would).
    address: tuple[str | None, str | None] | None = None

    @classmethod
    def from_row(cls, row: InboxMessage) -> InboxItem:
        body = json.loads(row.body)
        return cls(
            id=row.id,
            wamid=row.wamid,
            sender_id=row.sender_id,
            type=row.type,
            timestamp=row.timestamp,
            message=body.get("message") or {},
            profile_name=body.get("profile_name"),
            attempts=row.attempts,
            username=body.get("username") if isinstance(body.get("username"), str) else None,
        )


# Every message webhook's insert, as plain SQL (PostgreSQL and SQLite both know ON
# CONFLICT): the dialect's INSERT construct cost more CPU to build than to run.
_STORE = text(
    "INSERT INTO whatsapp_inbox (wamid, sender_id, phone_number_id, type, timestamp, body, "
    "status, attempts, next_attempt_at, received_at) VALUES (:wamid, :sender_id, "
    ":phone_number_id, :type, :timestamp, :body, :status, 0, :now, :now) "
    "ON CONFLICT (wamid) DO NOTHING"
)


def store_messages(session: Session, *, messages: list[Inbound]) -> tuple[int, int]:
    """Insert the messages, duplicates dropped; returns ``(stored, duplicates)``."""
    stored = 0
    now = utcnow()
    for message in messages:
        values = {
            "wamid": message.wamid,
            "sender_id": message.sender_id,
            "phone_number_id": message.phone_number_id,
            "type": message.type[:32],
            "timestamp": message.timestamp,
            "body": message.body_json(),
            "status": InboxStatus.PENDING.value,
            "now": now,
        }
        stored += session.execute(_STORE, values).rowcount or 0
    return stored, len(messages) - stored


def _claimable(now: datetime) -> Any:
    return or_(
        and_(InboxMessage.status == InboxStatus.PENDING, InboxMessage.next_attempt_at <= now),
        and_(InboxMessage.status == InboxStatus.PROCESSING, InboxMessage.lease_until < now),
    )


def due_senders(session: Session, *, limit: int = 100) -> list[str] | None:
    """Customers with a message due, oldest first among at most ``limit``; ``None`` when
    another worker runs this query right now (PostgreSQL): every wake-up reached every
    worker, and all of them scanned the inbox at once for the same rows. The lock ends with
    the transaction; the worker that was turned away looks again a moment later."""
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": DUE_SENDERS_LOCK}
        ).scalar()
        if not locked:
            return None
    rows = session.execute(
        select(InboxMessage.sender_id).where(_claimable(now)).distinct().limit(limit)
    )
    return [row[0] for row in rows]


def claim_next(
    session: Session,
    *,
    sender_id: str,
    lease: float,
    max_attempts: int | None = None,
    owner: str | None = None,
) -> InboxItem | None:
    """Take the customer's oldest unfinished message if it is due and nobody holds it.

    Only the *oldest* is considered, so a message waiting for its retry blocks the later
    ones: the dialogue sees the customer's messages in order. A row whose lease ran out
    after ``max_attempts`` claims killed its processor each time (a native crash, an
    out-of-memory kill) is not tried again: it is marked failed and returned with
    ``poisoned`` set, so that the customer is told and their later messages go on.
    """
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        return _claim_on_postgresql(
            session, sender_id=sender_id, lease=lease, max_attempts=max_attempts, owner=owner
        )
    oldest = (
        select(InboxMessage)
        .where(
            InboxMessage.sender_id == sender_id,
            InboxMessage.status.in_((InboxStatus.PENDING, InboxStatus.PROCESSING)),
        )
        .order_by(InboxMessage.timestamp, InboxMessage.id)
        .limit(1)
    )
    row = session.execute(oldest).scalar_one_or_none()
    if row is None:
        return None
    if row.status == InboxStatus.PROCESSING and row.lease_until and row.lease_until >= now:
        return None  # someone else is working on this customer
    if row.status == InboxStatus.PENDING and row.next_attempt_at > now:
        return None
    result = session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == row.id, InboxMessage.status == row.status)
        .where(or_(InboxMessage.lease_until.is_(None), InboxMessage.lease_until == row.lease_until))
        .values(
            status=InboxStatus.PROCESSING,
            lease_until=now + timedelta(seconds=lease),
            attempts=InboxMessage.attempts + 1,
            claimed_by=owner,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None  # another worker won the race
    session.refresh(row)
    item = InboxItem.from_row(row)
    if max_attempts is not None and row.attempts > max_attempts:
        error = f"the process handling it stopped {row.attempts - 1} times"
        finish(session, item_id=row.id, status=InboxStatus.FAILED, error=error)
        return replace(item, poisoned=True)
    return item


# ``claim_next`` on PostgreSQL as plain SQL: the ORM statement (a CTE, a subquery, an
# UPDATE ... RETURNING) cost more CPU to build and compile on every claim than the claim.
_CLAIM_ON_POSTGRESQL = text(
    """UPDATE whatsapp_inbox
    SET status = :processing, lease_until = :lease_until, attempts = attempts + 1,
        claimed_by = :owner
    WHERE id IN (
        SELECT id FROM whatsapp_inbox
        WHERE id = (
            SELECT id FROM whatsapp_inbox
            WHERE sender_id = :sender_id AND status IN (:pending, :processing)
            ORDER BY timestamp, id
            LIMIT 1
        )
        AND ((status = :pending AND next_attempt_at <= :now)
             OR (status = :processing AND lease_until < :now))
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id, wamid, sender_id, type, timestamp, body, attempts,
        EXISTS (
            SELECT 1 FROM whatsapp_inbox AS later
            WHERE later.sender_id = :sender_id AND later.status IN (:pending, :processing)
              AND later.id <> whatsapp_inbox.id
        ) AS more,
        (
            SELECT json_build_array(phone, user_id) FROM whatsapp_identities
            WHERE "key" = :sender_id AND merged_into IS NULL
        ) AS address
    """
)


def _claim_on_postgresql(
    session: Session,
    *,
    sender_id: str,
    lease: float,
    max_attempts: int | None,
    owner: str | None,
) -> InboxItem | None:
    """``claim_next`` in one statement: several replicas claim at once, so it locks the
    customer's oldest unfinished row, and if another replica holds that lock, leaves the
    customer to it (SKIP LOCKED) rather than wait. Locking only that row (not "the first
    unlocked one") keeps the order; under the lock PostgreSQL checks the row again against
    the latest committed version, so a row another replica just claimed is not taken."""
    now = utcnow()
    row = session.execute(
        _CLAIM_ON_POSTGRESQL,
        {
            "processing": InboxStatus.PROCESSING.value,
            "pending": InboxStatus.PENDING.value,
            "lease_until": now + timedelta(seconds=lease),
            "owner": owner,
            "sender_id": sender_id,
            "now": now,
        },
    ).one_or_none()
    if row is None:
        return None
    item = replace(
        InboxItem.from_row(row),  # type: ignore[arg-type]
        more=bool(row.more),
        address=_address(sender_id, row.address),
    )
    if max_attempts is not None and item.attempts > max_attempts:
        error = f"the process handling it stopped {item.attempts - 1} times"
        finish(session, item_id=item.id, status=InboxStatus.FAILED, error=error)
        return replace(item, poisoned=True)
    return item


def _address(key: str, found: list[str | None] | None) -> tuple[str | None, str | None]:
    """``identity.address``'s answer from the claim's column: the identity's phone and
    BSUID, or what the key says when there is no identity yet."""
    if found is not None:
        return found[0], found[1]
    return (None, key) if is_bsuid(key) else (key, None)


def finish_and_claim_next(
    session: Session,
    *,
    finished_id: int | None = None,
    also_finished: Sequence[int] = (),
    **claim: Any,
) -> InboxItem | None:
    """``finish`` the customer's message just handled and ``claim_next`` in one transaction
    (one round of BEGIN/COMMIT less per message); ``also_finished``: other messages handled
    (of any customer) whose done marks waited for a transaction to go with."""
    ids = [*([finished_id] if finished_id is not None else []), *also_finished]
    if ids:
        finish_many(session, item_ids=ids)
    return claim_next(session, **claim)


def finish_many(connection: Session | Connection, *, item_ids: Sequence[int]) -> None:
    """``finish`` (done) for several messages at once, on a session or on a connection
    that commits each statement (the worker's lone done marks: no BEGIN or COMMIT)."""
    connection.execute(
        _FINISH_MANY,
        {"ids": list(item_ids), "done": InboxStatus.DONE.value, "now": utcnow()},
    )


# Plain SQL: once per handled message (the ORM's UPDATE cost more to build than to run).
_FINISH_MANY = text(
    "UPDATE whatsapp_inbox SET status = :done, lease_until = NULL, processed_at = :now, "
    "last_error = NULL WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def claim_and_prepare(
    session: Session,
    *,
    claim: Callable[..., InboxItem | None],
    prepare: Callable[[Session, InboxItem], Any],
    **kwargs: Any,
) -> InboxItem | None:
    """``claim(session, **kwargs)`` (``claim_next`` or ``finish_and_claim_next``), then
    ``prepare(session, item)`` in the same transaction, its result on ``item.prepared``:
    what the turn needs from the database before the dialogue, without a transaction of
    its own."""
    item = claim(session, **kwargs)
    if item is None or item.poisoned:
        return item
    return replace(item, prepared=prepare(session, item))


def renew_lease(session: Session, *, item_id: int, lease: float) -> None:
    session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == item_id, InboxMessage.status == InboxStatus.PROCESSING)
        .values(lease_until=utcnow() + timedelta(seconds=lease))
    )


def finish(
    session: Session,
    *,
    item_id: int,
    status: InboxStatus = InboxStatus.DONE,
    error: str | None = None,
) -> None:
    session.execute(
        _FINISH,
        {"id": item_id, "status": str(status), "processed_at": utcnow(), "error": error},
    )


# ``finish`` runs once per message (plain SQL: the ORM's UPDATE cost more to build).
_FINISH = text(
    "UPDATE whatsapp_inbox SET status = :status, lease_until = NULL, "
    "processed_at = :processed_at, last_error = :error WHERE id = :id"
)


def postpone(session: Session, *, item_id: int, delay: float, error: str) -> None:
    session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == item_id)
        .values(
            status=InboxStatus.PENDING,
            lease_until=None,
            next_attempt_at=utcnow() + timedelta(seconds=delay),
            last_error=error,
        )
    )


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
    ).all()
    return {status: count for status, count in rows}
