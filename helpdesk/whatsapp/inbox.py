"""The durable inbox: store first, acknowledge, process after.

``store_messages`` runs inside the webhook request: it inserts every message under its wamid
(``ON CONFLICT DO NOTHING`` — a redelivery is dropped); ``service.store_events`` applies the
statuses in the same transaction, so the 200 goes out only once the messages are safe on
disk.

``InboxWorker`` processes the rows: one customer's messages one at a time in timestamp
order, different customers concurrently. A row being processed holds a lease that the worker
renews; if the process dies, the lease runs out and the row is taken again (by this process
after a restart, or by another replica). Failures are retried with exponential backoff; a row
that keeps failing, or fails with a non-retryable error, is marked ``failed`` and
``on_poison`` tells the customer. Processing is at least once: a crash between the dialogue
turn and the ``done`` mark replays that one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from helpdesk.db.models import InboxMessage
from helpdesk.db.models.base import utcnow
from helpdesk.errors import InboxPoison
from helpdesk.whatsapp.replay import reply_scope
from helpdesk.whatsapp.states import InboxStatus
from helpdesk.whatsapp.webhook import Inbound
from helpdesk.whatsapp.writes import write_async

logger = logging.getLogger(__name__)


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


def _insert(session: Session):  # type: ignore[no-untyped-def]
    """The dialect's INSERT that supports ON CONFLICT DO NOTHING (SQLite, PostgreSQL)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(InboxMessage.__table__)


def store_messages(session: Session, *, messages: list[Inbound]) -> tuple[int, int]:
    """Insert the messages, duplicates dropped; returns ``(stored, duplicates)``."""
    stored = 0
    now = utcnow()
    for message in messages:
        statement = (
            _insert(session)
            .values(
                wamid=message.wamid,
                sender_id=message.sender_id,
                phone_number_id=message.phone_number_id,
                type=message.type[:32],
                timestamp=message.timestamp,
                body=message.body_json(),
                status=InboxStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                received_at=now,
            )
            .on_conflict_do_nothing(index_elements=["wamid"])
        )
        stored += session.execute(statement).rowcount or 0
    return stored, len(messages) - stored


def _claimable(now: datetime) -> Any:
    return or_(
        and_(InboxMessage.status == InboxStatus.PENDING, InboxMessage.next_attempt_at <= now),
        and_(InboxMessage.status == InboxStatus.PROCESSING, InboxMessage.lease_until < now),
    )


def due_senders(session: Session, *, limit: int = 100) -> list[str]:
    now = utcnow()
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
    oldest = (
        select(InboxMessage.id)
        .where(
            InboxMessage.sender_id == sender_id,
            InboxMessage.status.in_((InboxStatus.PENDING, InboxStatus.PROCESSING)),
        )
        .order_by(InboxMessage.timestamp, InboxMessage.id)
        .limit(1)
        .scalar_subquery()
    )
    locked = (
        select(InboxMessage.id)
        .where(InboxMessage.id == oldest, _claimable(now))
        .with_for_update(skip_locked=True)
        .cte("locked")
    )
    row = session.execute(
        update(InboxMessage)
        .where(InboxMessage.id.in_(select(locked.c.id)))
        .values(
            status=InboxStatus.PROCESSING,
            lease_until=now + timedelta(seconds=lease),
            attempts=InboxMessage.attempts + 1,
            claimed_by=owner,
        )
        .returning(
            InboxMessage.id,
            InboxMessage.wamid,
            InboxMessage.sender_id,
            InboxMessage.type,
            InboxMessage.timestamp,
            InboxMessage.body,
            InboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return None
    item = InboxItem.from_row(row)  # type: ignore[arg-type]
    if max_attempts is not None and item.attempts > max_attempts:
        error = f"the process handling it stopped {item.attempts - 1} times"
        finish(session, item_id=item.id, status=InboxStatus.FAILED, error=error)
        return replace(item, poisoned=True)
    return item


def finish_and_claim_next(session: Session, *, finished_id: int, **claim: Any) -> InboxItem | None:
    """``finish`` the customer's message just handled and ``claim_next`` in one transaction
    (one round of BEGIN/COMMIT less per message)."""
    finish(session, item_id=finished_id)
    return claim_next(session, **claim)


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
        update(InboxMessage)
        .where(InboxMessage.id == item_id)
        .values(status=status, lease_until=None, processed_at=utcnow(), last_error=error)
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


Processor = Callable[[InboxItem], Awaitable[None]]
PoisonHandler = Callable[[InboxItem, BaseException], Awaitable[None]]


class InboxWorker:
    """Runs ``process(item)`` for every inbox row; see the module docstring."""

    def __init__(
        self,
        process: Processor,
        *,
        on_poison: PoisonHandler | None = None,
        url: str | None = None,
        max_attempts: int = 5,
        backoff: float = 1.0,
        lease: float = 30.0,
        poll_interval: float = 1.0,
        concurrency: int = 32,
        batch_delay: float = 0.02,
    ) -> None:
        self.process = process
        self.on_poison = on_poison
        self.url = url
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.lease = lease
        self.poll_interval = poll_interval
        self.concurrency = concurrency
        self.batch_delay = batch_delay
        self._wake = asyncio.Event()
        self._active: dict[str, asyncio.Task] = {}
        self._task: asyncio.Task | None = None
        self._stopping = False
        # Which worker holds a row (host:pid), for operators looking at a stuck message.
        self.owner = f"{socket.gethostname()}:{os.getpid()}"[:128]

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._loop())

    def wake(self) -> None:
        """Tell the worker new rows arrived (saves waiting for the next poll)."""
        self._wake.set()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking rows; let turns in flight finish for up to ``grace`` seconds, then
        cancel them (their leases expire and another worker takes the rows)."""
        self._stopping = True
        self._wake.set()
        active = list(self._active.values())
        if active and grace > 0:
            await asyncio.wait(active, timeout=grace)
        tasks = [t for t in [self._task, *self._active.values()] if t]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._active.clear()

    async def _db(self, function: Callable[..., Any], **kwargs: Any) -> Any:
        return await write_async(function, url=self.url, **kwargs)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            polled_at = loop.time()
            try:
                senders = await self._db(due_senders, limit=self.concurrency * 4)
            except Exception:
                logger.exception("Inbox poll failed; retrying")
                senders = []
            for sender in senders:
                if sender not in self._active and len(self._active) < self.concurrency:
                    task = asyncio.get_running_loop().create_task(self._drain(sender))
                    self._active[sender] = task
                    task.add_done_callback(lambda _t, s=sender: self._active.pop(s, None))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            # Under a burst every insert wakes us: look at most once per ``batch_delay``, not
            # once per message. A wake-up long after the last look is served at once (the
            # fixed pause added its 20 ms to every reply at low rates).
            pause = self.batch_delay - (loop.time() - polled_at)
            if pause > 0:
                await asyncio.sleep(pause)

    async def _drain(self, sender: str) -> None:
        claim = {
            "sender_id": sender,
            "lease": self.lease,
            "max_attempts": self.max_attempts,
            "owner": self.owner,
        }
        done: int | None = None  # handled, its ``done`` mark goes with the next claim
        try:
            while not self._stopping:
                try:
                    if done is None:
                        item = await self._db(claim_next, **claim)
                    else:
                        item = await self._db(finish_and_claim_next, finished_id=done, **claim)
                        done = None
                except Exception:
                    logger.exception("Could not claim an inbox row")
                    return
                if item is None:
                    return
                if item.poisoned:
                    await self._poisoned(item)
                    continue
                handled = await self._handle(item)
                if handled is None:
                    done = item.id
                elif not handled:
                    return  # waiting for a retry: later messages of this customer wait too
        finally:
            if done is not None:  # stopping between a turn and the next claim
                await asyncio.shield(self._db(finish, item_id=done))

    async def _handle(self, item: InboxItem) -> bool | None:
        """``None``: handled, for the caller to mark done; ``True``: finished otherwise
        (failed for good); ``False``: postponed for a retry."""
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(item.id))
        try:
            with reply_scope(item.wamid):
                await self.process(item)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            return await self._failed(item, error)
        finally:
            heartbeat.cancel()
        return None

    async def _failed(self, item: InboxItem, error: Exception) -> bool:
        retryable = getattr(error, "retryable", True)
        description = f"{type(error).__name__}: {error}"
        if retryable and item.attempts < self.max_attempts:
            delay = self.backoff * 2 ** (item.attempts - 1)
            logger.warning(
                "Inbox message %s failed (attempt %d), retry in %.1fs: %s",
                item.wamid,
                item.attempts,
                delay,
                description,
            )
            await self._db(postpone, item_id=item.id, delay=delay, error=description)
            self._schedule_wake(delay)
            return False
        logger.error("Inbox message %s failed for good: %s", item.wamid, description)
        await self._db(finish, item_id=item.id, status=InboxStatus.FAILED, error=description)
        await self._tell(item, error)
        return True

    async def _poisoned(self, item: InboxItem) -> None:
        error = InboxPoison(
            f"inbox message {item.wamid} stopped its processor {item.attempts - 1} times"
        )
        logger.error("%s; marked failed", error)
        await self._tell(item, error)

    async def _tell(self, item: InboxItem, error: BaseException) -> None:
        if self.on_poison is not None:
            try:
                await self.on_poison(item, error)
            except Exception:
                logger.exception("Could not tell the customer that message %s failed", item.wamid)

    def _schedule_wake(self, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay + 0.01, self._wake.set)

    async def _heartbeat(self, item_id: int) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            with contextlib.suppress(Exception):
                await self._db(renew_lease, item_id=item_id, lease=self.lease)
