"""Outbound pacing shared by every replica: one send slot every 1/rate seconds per number.

Meta counts messages per business number, not per process, so with N Rasa replicas each
one's own ``TokenBucket`` would allow N × the limit. ``RedisPacer`` hands out send slots
from one schedule kept in Redis: a short Lua script (atomic on the server, timed by the
server's clock so the replicas' clocks do not matter) takes the next free slot and returns
how long to wait for it. If Redis cannot be reached the replica falls back to its own
bucket at its share of the rate and says so in the log, rather than stop replying.
"""

from __future__ import annotations

import logging
from typing import Protocol

logger = logging.getLogger(__name__)

# KEYS[1]: the schedule; ARGV[1]: seconds between sends. Returns the wait in microseconds.
_TAKE_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next_free)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(interval / 1000) + 60000)
return slot - now
"""


class Pacer(Protocol):
    async def acquire(self) -> None: ...


class RedisPacer:
    """``acquire()`` waits for this process's next slot in the shared schedule."""

    def __init__(
        self,
        url: str,
        *,
        rate: float,
        key: str,
        fallback: Pacer,
    ) -> None:
        import redis.asyncio as aioredis  # a dependency only where Redis is configured

        self.interval_us = int(1_000_000 / max(rate, 0.001))
        self.key = key
        self.fallback = fallback
        self._redis = aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._redis.register_script(_TAKE_SLOT)
        self._warned = False

    async def acquire(self) -> None:
        import asyncio

        try:
            wait_us = int(await self._script(keys=[self.key], args=[self.interval_us]))
        except Exception as error:  # redis.RedisError, OSError, timeouts
            if not self._warned:
                logger.warning("Shared outbound pacing unavailable (%s); pacing locally", error)
                self._warned = True
            await self.fallback.acquire()
            return
        self._warned = False
        if wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000)

    async def aclose(self) -> None:
        await self._redis.close()
