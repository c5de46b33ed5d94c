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

The window that is left — Meta accepted a reply, and the worker died (``kill -9``) before
its database recorded the wamid — is closed by Meta itself: each keyed reply carries its
key in ``biz_opaque_callback_data``, which Meta echoes in the message's status webhooks
(sent, delivered, read); ``records.apply_status`` then writes the wamid on the reserved row,
so the replay (after the 30 s lease, long after the statuses) finds it sent. When the
statuses are late (the worker died after Meta accepted the reply but before they came), the
replay finds the reply reserved without a wamid and waits for them, up to
``WHATSAPP_REPLY_CONFIRM_SECONDS`` after the reservation (``Sender._reserve``); only then it
sends the reply again, logged as a possible duplicate.

A turn the dialogue already saved is not run a second time: the Rasa channel finds it by the
message's wamid in the tracker and sends that turn's replies (``channels/saved_turns.py``),
so the keys name the same replies as in the first run.

Replies outside a scope (an agent writing from the console) have no key.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answering:
    """What the worker knew, when it claimed the message, of the customer it answers: the
    turn's replies to them need not ask the database again (``Sender``)."""

    sender_id: str
    # The message's time (epoch seconds): the 24-hour window is open at least from then.
    timestamp: int
    # Where replies go (``identity.address``'s phone and BSUID) as the claim read it.
    phone: str | None
    user_id: str | None


@dataclass
class _Scope:
    wamid: str
    answering: Answering | None = None
    counter: itertools.count = field(default_factory=itertools.count)


_current: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "helpdesk_whatsapp_reply_scope", default=None
)


@contextlib.contextmanager
def reply_scope(wamid: str, answering: Answering | None = None) -> Iterator[None]:
    """Replies sent in this block (this task and what it awaits) answer ``wamid``
    (``answering``: what the claim knew of its customer)."""
    token = _current.set(_Scope(wamid, answering))
    try:
        yield
    finally:
        _current.reset(token)


CALLBACK_PREFIX = "hd-reply:"


def callback_data(key: tuple[str, int]) -> str:
    """The ``biz_opaque_callback_data`` that names reply ``key`` (Meta allows 512)."""
    return f"{CALLBACK_PREFIX}{key[1]}:{key[0]}"[:512]


def key_from_callback(data: str | None) -> tuple[str, int] | None:
    """The reply key a status webhook's callback data names, or None (not one of ours)."""
    if not data or not data.startswith(CALLBACK_PREFIX):
        return None
    seq, _, wamid = data[len(CALLBACK_PREFIX) :].partition(":")
    if not seq.isdigit() or not wamid:
        return None
    return wamid, int(seq)


def next_reply_key() -> tuple[str, int] | None:
    """``(wamid, position)`` for the next reply of the current turn, or None outside one."""
    scope = _current.get()
    if scope is None:
        return None
    return scope.wamid, next(scope.counter)


def answering(recipient_id: str) -> Answering | None:
    """What the claim knew of ``recipient_id`` when the current turn answers them."""
    scope = _current.get()
    found = scope.answering if scope is not None else None
    return found if found is not None and found.sender_id == recipient_id else None
