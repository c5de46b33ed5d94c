"""Tell every replica's inbox worker that a message arrived (Redis publish/subscribe).

The webhook may be stored by another process than the one that runs the turns (the small
ingest process of the production topology, ``helpdesk.ingest``). The inbox is the truth and
the workers poll it every second anyway; this only saves that wait: ``announce`` publishes
one short message after the commit, naming the customers whose messages were stored, and
``WakeListener`` (a thread per worker) calls ``on_wake(senders)`` in the worker's loop for
each: the worker claims those customers' messages at once, without first asking the inbox
which customers are due. A lost announcement costs at most one poll.

Failed statuses go the same way when the worker runs in a process of its own
(``hand_over_failures``, a Redis list, ``FailureListener`` in the worker): reacting to one
(a resend, a note to the agent) is the worker's work, not the acknowledgement's.

``announce_soon`` publishes from a thread of its own and returns at once: the webhook's
200 does not wait for Redis (a publish took up to ~100 ms at the 99th percentile on this
busy machine, more than the whole acknowledgement budget).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from helpdesk.whatsapp.webhook import Status

logger = logging.getLogger(__name__)

CHANNEL = "helpdesk:inbox:new"
# One thread: announcements are tiny, and a burst of them needs only one to wake a worker.
_ANNOUNCER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-announce")


@lru_cache(maxsize=4)
def _client(url: str) -> Any:
    import redis  # a dependency only where Redis is configured

    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def announce(url: str, senders: Sequence[str] = ()) -> None:
    """Publish that new inbox rows of ``senders`` (customer keys) are committed (blocking:
    call it from a thread)."""
    try:
        _client(url).publish(CHANNEL, encode(senders))
    except Exception as error:  # redis.RedisError, OSError: the workers' poll still finds it
        logger.warning("Could not announce a new inbox message on Redis: %s", error)


def announce_soon(url: str, senders: Sequence[str] = ()) -> None:
    """``announce`` without waiting for it (it never raises)."""
    _ANNOUNCER.submit(announce, url, list(senders))


def encode(senders: Sequence[str]) -> bytes:
    """An announcement: the customer keys one a line, or ``1`` (someone, unnamed)."""
    return "\n".join(senders).encode() if senders else b"1"


def decode(data: Any) -> list[str]:
    """The customer keys an announcement names (none: look in the inbox)."""
    if isinstance(data, bytes | bytearray):
        data = bytes(data).decode("utf-8", errors="replace")
    if not isinstance(data, str) or data == "1":
        return []
    return [key for key in data.split("\n") if key]


# Failed statuses for the worker process to react to (resend, tell the agent): a list, not
# a publication, so that one worker takes each and a worker restarting finds them after.
FAILURES = "helpdesk:outbound:failed"
# What a worker takes at once at most, and how long it waits for the first.
_FAILURES_BATCH = 50
_FAILURES_WAIT = 1.0


def hand_over_failures(url: str, statuses: Sequence[Status]) -> bool:
    """Queue failed statuses for the worker process (blocking: call it from a thread);
    False when Redis did not take them (the caller reacts itself then)."""
    try:
        _client(url).rpush(FAILURES, *(json.dumps(asdict(status)) for status in statuses))
    except Exception as error:  # redis.RedisError, OSError
        logger.warning("Could not hand failed statuses to the worker on Redis: %s", error)
        return False
    return True


def hand_over_soon(
    url: str, statuses: Sequence[Status], *, on_refused: Callable[[], object]
) -> None:
    """``hand_over_failures`` without waiting for it; ``on_refused()`` (from the announcing
    thread) when Redis did not take them."""

    def hand_over() -> None:
        if not hand_over_failures(url, statuses):
            on_refused()

    _ANNOUNCER.submit(hand_over)


def take_failures(client: Any) -> list[Status]:
    """The failed statuses queued for this worker (waits up to a second for the first)."""
    first = client.blpop([FAILURES], timeout=_FAILURES_WAIT)
    if first is None:
        return []
    raw = [first[1]]
    more = client.lpop(FAILURES, _FAILURES_BATCH - 1)
    raw += more or []
    statuses = []
    for item in raw:
        try:
            statuses.append(Status(**json.loads(item)))
        except (TypeError, ValueError) as error:
            logger.warning("Dropping a malformed failed status from Redis: %s", error)
    return statuses


class FailureListener:
    """Calls ``on_failed(statuses)`` in ``loop`` for the failed statuses the ingest handed
    over (``hand_over_failures``), from a daemon thread; one worker process listens."""

    def __init__(self, url: str, on_failed: Callable[[list[Status]], None]) -> None:
        self.url = url
        self.on_failed = on_failed
        self._stop = threading.Event()

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        loop = loop or asyncio.get_running_loop()
        threading.Thread(
            target=self._listen, args=(loop,), name="outbound-failures", daemon=True
        ).start()

    def stop(self) -> None:
        self._stop.set()

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        import redis

        client = None
        while not self._stop.is_set():
            try:
                client = client or redis.Redis.from_url(
                    self.url, socket_connect_timeout=2, socket_timeout=_FAILURES_WAIT + 5
                )
                statuses = take_failures(client)
                if statuses:
                    loop.call_soon_threadsafe(self.on_failed, statuses)
            except RuntimeError:  # the loop closed under us: the worker is gone
                return
            except Exception as error:  # Redis down or restarting: try again shortly
                logger.warning("Failed statuses from Redis interrupted: %s", error)
                client = None
                self._stop.wait(2.0)


class WakeListener:
    """Calls ``on_wake(senders)`` in ``loop`` for every announcement (``senders``: the
    customer keys it names, maybe none), from a daemon thread."""

    def __init__(self, url: str, on_wake: Callable[[list[str]], None]) -> None:
        self.url = url
        self.on_wake = on_wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        loop = loop or asyncio.get_running_loop()
        self._thread = threading.Thread(
            target=self._listen, args=(loop,), name="inbox-wakeup", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        import redis

        while not self._stop.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        senders = decode(message.get("data"))
                        loop.call_soon_threadsafe(self.on_wake, senders)
            except RuntimeError:  # the loop closed under us: the worker is gone
                return
            except Exception as error:  # Redis down or restarting: try again shortly
                logger.warning("Inbox wake-ups from Redis interrupted: %s", error)
                self._stop.wait(2.0)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()
