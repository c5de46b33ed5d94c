"""Which inbound message a reply answers, so that a replayed turn sends nothing twice.

Processing the inbox is at least once: if a Rasa replica dies (``kill -9``), or the
database drops its connection between the dialogue turn and the ``done`` mark, another
worker takes the message again and the dialogue runs the turn again. The replies of that
turn were perhaps already sent. While the worker processes a message it opens a
``reply_scope(wamid)``; every reply sent inside it gets a key ``(wamid, n)`` — the n-th
reply to that message — stored with the outbound row under a unique constraint. A replayed
turn finds its first replies already accepted by Meta and skips them, and sends only the
ones the dead worker never got to. Keys count positions, not contents, so a response with
random variations does not slip through as "new".

Replies outside a scope (an agent writing from the console) have no key.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class _Scope:
    wamid: str
    counter: itertools.count = field(default_factory=itertools.count)


_current: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "helpdesk_whatsapp_reply_scope", default=None
)


@contextlib.contextmanager
def reply_scope(wamid: str) -> Iterator[None]:
    """Replies sent in this block (this task and what it awaits) answer ``wamid``."""
    token = _current.set(_Scope(wamid))
    try:
        yield
    finally:
        _current.reset(token)


def next_reply_key() -> tuple[str, int] | None:
    """``(wamid, position)`` for the next reply of the current turn, or None outside one."""
    scope = _current.get()
    if scope is None:
        return None
    return scope.wamid, next(scope.counter)
