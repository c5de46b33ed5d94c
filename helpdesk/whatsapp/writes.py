"""Writing to the database from several threads of one process without SQLite stalls."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session

from helpdesk.db import default_url, session_scope


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
