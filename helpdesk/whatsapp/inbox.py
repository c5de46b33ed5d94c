"""The durable inbox: store first, acknowledge, process after.

The rows' functions live in ``helpdesk.whatsapp.claims`` (re-exported here).
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
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.errors import InboxPoison
from helpdesk.whatsapp.claims import (
    InboxItem,
    claim_and_prepare,
    claim_next,
    counts,
    due_senders,
    finish,
    finish_and_claim_next,
    finish_many,
    postpone,
    renew_lease,
    store_messages,
)
from helpdesk.whatsapp.replay import Answering, reply_scope
from helpdesk.whatsapp.states import InboxStatus
from helpdesk.whatsapp.writes import statement_async, write_async

# The rows' functions, used from here by the service, the tests and the fuzz targets.
__all__ = [
    "InboxItem",
    "InboxWorker",
    "claim_next",
    "counts",
    "due_senders",
    "finish",
    "finish_and_claim_next",
    "postpone",
    "renew_lease",
    "store_messages",
]

logger = logging.getLogger(__name__)

# Seconds a handled message's done mark waits for another transaction to go with.
DONE_MARK_WAIT = 0.2


Processor = Callable[[InboxItem], Awaitable[None]]
PoisonHandler = Callable[[InboxItem, BaseException], Awaitable[None]]
# Database work a claimed message's turn needs first, run in the claim's transaction.
Prepare = Callable[[Session, InboxItem], Any]


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
        prepare: Prepare | None = None,
    ) -> None:
        """``prepare(session, item)``: run in each claim's transaction, its result on
        ``item.prepared`` (a transaction fewer per message); if it fails, the message is
        claimed without it (``item.prepared`` is None) and its turn does that work itself,
        so a failing ``prepare`` never holds a message back."""
        self.process = process
        self.prepare = prepare
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
        # Customers woken while their drain ran: drained once more when it ends.
        self._again: set[str] = set()
        self._task: asyncio.Task | None = None
        self._stopping = False
        # Handled messages whose done marks wait for the next claim (``_finish_soon``).
        self._done_marks: set[int] = set()
        self._done_timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task] = set()
        # Which worker holds a row (host:pid), for operators looking at a stuck message.
        self.owner = f"{socket.gethostname()}:{os.getpid()}"[:128]

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._loop())

    def wake(self, senders: Iterable[str] = ()) -> None:
        """Tell the worker new rows arrived (saves waiting for the next poll). Named
        ``senders`` are claimed at once, without first asking the inbox which customers are
        due (a query and a transaction fewer on every message's way to its reply)."""
        if not senders or self._stopping or not self.running:
            self._wake.set()
            return
        for sender in senders:
            if not self._start_drain(sender, again=True):
                self._wake.set()  # no room now: the loop takes it once there is

    def _start_drain(self, sender: str, *, again: bool = False) -> bool:
        """Process ``sender``'s rows in a task of its own; False when the worker is full.
        ``again``: a drain already running for ``sender`` is followed by another, as the
        new row may have been committed just after its last claim found nothing."""
        if sender in self._active:
            if again:
                self._again.add(sender)
            return True
        if len(self._active) >= self.concurrency:
            return False
        task = asyncio.get_running_loop().create_task(self._drain(sender))
        self._active[sender] = task
        task.add_done_callback(lambda _t, s=sender: self._drained(s))
        return True

    def _drained(self, sender: str) -> None:
        self._active.pop(sender, None)
        if sender in self._again:
            self._again.discard(sender)
            if not self._stopping:
                self._start_drain(sender)

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
        self._again.clear()
        if self._done_timer is not None:
            self._done_timer.cancel()
            self._done_timer = None
        for task in list(self._background):
            with contextlib.suppress(Exception):
                await task
        with contextlib.suppress(Exception):  # a failure leaves them to their leases
            await self._write_done_marks()

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
            if senders is None:  # another worker is looking right now: look again soon
                senders = []
                self._wake.set()
            for sender in senders:
                self._start_drain(sender)
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
                    item = await self._claim(done, claim)
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
                if handled is None and not item.more:
                    # The customer's last message when it was claimed: no claim after it
                    # (one that comes later wakes this customer again); its done mark goes
                    # with the worker's next transaction (``_finish_soon``).
                    self._finish_soon(item.id)
                    return
                if handled is None:
                    done = item.id
                elif not handled:
                    return  # waiting for a retry: later messages of this customer wait too
        finally:
            if done is not None:  # stopping between a turn and the next claim
                await asyncio.shield(self._db(finish, item_id=done))

    async def _claim(self, finished: int | None, claim: dict[str, Any]) -> InboxItem | None:
        """The customer's next message (``finished``: the one just handled, marked done in
        the same transaction, with every done mark waiting for one), prepared when the
        worker has a ``prepare``."""
        waiting = self._take_done_marks()
        options = {**claim, "finished_id": finished, "also_finished": waiting}
        try:
            if self.prepare is not None:
                try:
                    return await self._db(
                        claim_and_prepare, claim=finish_and_claim_next, prepare=self.prepare,
                        **options,
                    )  # fmt: skip
                except Exception:
                    # Rolled back, the claim (and the done marks) with it: claimed without.
                    logger.exception("Could not prepare the next message of a customer")
            return await self._db(finish_and_claim_next, **options)
        except BaseException:
            self._done_marks.update(waiting)  # not written: they wait for the next one
            raise

    def _finish_soon(self, item_id: int) -> None:
        """Mark ``item_id`` done with the worker's next claim, or on its own after
        ``DONE_MARK_WAIT`` seconds: under load a message's done mark and another customer's
        claim share one transaction. Until then the row is held under its lease, as while
        it was processed; a worker that dies meanwhile leaves it to be taken again when the
        lease ends, which finds its turn saved and its replies sent (as for a crash between
        a turn and its done mark), so nothing is answered twice."""
        self._done_marks.add(item_id)
        if self._done_timer is None:
            self._done_timer = asyncio.get_running_loop().call_later(
                DONE_MARK_WAIT, self._write_done_marks_soon
            )

    def _take_done_marks(self) -> list[int]:
        waiting, self._done_marks = sorted(self._done_marks), set()
        return waiting

    def _write_done_marks_soon(self) -> None:
        self._done_timer = None
        if self._done_marks:
            task = asyncio.get_running_loop().create_task(self._write_done_marks())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _write_done_marks(self) -> None:
        waiting = self._take_done_marks()
        if not waiting:
            return
        try:
            # Alone (nothing else to share a transaction with): one statement by itself.
            await statement_async(finish_many, url=self.url, item_ids=waiting)
        except Exception:
            logger.exception("Could not mark handled inbox messages done; again soon")
            self._done_marks.update(waiting)
            if not self._stopping and self._done_timer is None:
                self._done_timer = asyncio.get_running_loop().call_later(
                    DONE_MARK_WAIT * 10, self._write_done_marks_soon
                )

    async def _handle(self, item: InboxItem) -> bool | None:
        """``None``: handled, for the caller to mark done; ``True``: finished otherwise
        (failed for good); ``False``: postponed for a retry."""
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(item.id))
        try:
            with reply_scope(item.wamid, _answering(item)):
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


def _answering(item: InboxItem) -> Answering | None:
    if item.address is None:
        return None
    return Answering(item.sender_id, item.timestamp, phone=item.address[0], user_id=item.address[1])
