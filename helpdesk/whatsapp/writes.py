"""Writing to the database from several threads of one process without SQLite stalls,
and again on a fresh connection when the database dropped the one in use."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from helpdesk.db import autocommit, default_url, session_scope
from helpdesk.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How often a transaction runs again after a concurrent writer's row made it break a
# unique constraint (see ``write``); a third conflict is a real one and is raised.
CONFLICT_RETRIES = 2


class _WriteTurns:
    """Takes turns writing to SQLite within this process; the webhook's insert goes first.

    SQLite has one writer at a time, and a thread that finds the database locked sleeps in
    SQLite's busy handler (up to 100 ms per try). Taking turns here instead, with the
    acknowledgement path (``urgent``) ahead of the worker's bookkeeping, keeps the webhook's
    answer at a few milliseconds while the worker is busy.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._busy = False
        self._urgent = 0

    @contextlib.contextmanager
    def turn(self, *, urgent: bool) -> Iterator[None]:
        with self._condition:
            self._urgent += urgent
            try:
                while self._busy or (not urgent and self._urgent):
                    self._condition.wait()
                self._busy = True
            finally:
                self._urgent -= urgent
        try:
            yield
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()


_SQLITE_WRITES = _WriteTurns()
# The acknowledgement path gets its own thread so it never queues behind worker jobs.
ACK_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="whatsapp-inbox")


@contextlib.contextmanager
def write_session(url: str | None = None, *, urgent: bool = False) -> Iterator[Session]:
    """``session_scope`` that takes turns with the other writers of this process on SQLite
    (``urgent``: the webhook acknowledgement, served before background work)."""
    if (url or default_url()).startswith("sqlite"):
        turn = _SQLITE_WRITES.turn(urgent=urgent)
    else:
        turn = contextlib.nullcontext()
    with turn, session_scope(url) as session:
        yield session


def _dropped(error: BaseException) -> bool:
    """The database went away under us (a dropped or refused connection), as opposed to
    a statement it refused: only then is running the transaction again worth it."""
    if isinstance(error, DatabaseUnavailable):  # session_scope's OperationalError
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def write(
    function: Callable[..., T],
    *,
    url: str | None = None,
    patience: float = 5.0,
    **kwargs: Any,
) -> T:
    """``function(session, **kwargs)`` in one transaction, run again on a new connection
    while the database drops or refuses connections, for up to ``patience`` seconds.

    Every caller's function is one whole transaction that is safe to run again (it reads
    what it needs inside), so a retry never applies half of one. Without this, a dropped
    connection right after Meta accepted a reply lost the reply's wamid, and the replayed
    turn sent the reply a second time.

    A unique-constraint conflict also runs it again (twice at most): two processes that
    look for a row and then write it race on SQLite, where the driver opens the
    transaction only at the first write. The classic case is a status webhook that
    overtakes the sender's record of the send: both write the same wamid; run again, the
    sender finds the status's row and folds it in (``records.mark_accepted``)."""
    deadline = time.monotonic() + patience
    pause = 0.05
    conflicts = 0
    while True:
        try:
            with write_session(url) as session:
                return function(session, **kwargs)
        except IntegrityError as error:
            if conflicts >= CONFLICT_RETRIES:
                raise
            conflicts += 1
            logger.info("%s met a concurrent write; again: %s", function.__name__, error.orig)
        except (DBAPIError, DatabaseUnavailable) as error:
            if not _dropped(error) or time.monotonic() + pause > deadline:
                raise
            logger.warning("Database connection lost; %s again: %s", function.__name__, error)
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


async def write_async(
    function: Callable[..., T], *, url: str | None = None, patience: float = 5.0, **kwargs: Any
) -> T:
    """``write`` in a thread, so the event loop keeps serving meanwhile."""
    return await asyncio.to_thread(write, function, url=url, patience=patience, **kwargs)


def postgresql(url: str | None) -> bool:
    return (url or default_url()).startswith("postgresql")


async def statement_async(
    function: Callable[..., T], *, url: str | None = None, **kwargs: Any
) -> T:
    """``function(connection, **kwargs)``, one statement, in a thread: on PostgreSQL on a
    connection that commits it by itself (no BEGIN and COMMIT round trips), elsewhere in a
    transaction of its own (``write``)."""
    if not postgresql(url):
        return await write_async(function, url=url, **kwargs)

    def run() -> T:
        with autocommit(url) as connection:
            return function(connection, **kwargs)

    return await asyncio.to_thread(run)
