"""Async Graph API client for the WhatsApp Cloud API (or the sandbox).

Hand-written rather than ``pywa_async.WhatsApp``: pywa has no outbound pacing, no retry
policy and downloads media without a size cap, and we need all three (Meta's throughput per
number, retries on 5xx/timeouts/130429, and refusing a 2 GB "image" before it is in
memory). The wire format is small: four endpoints.

On aiohttp rather than httpx: every reply is a request, and so is every read receipt; an
httpx request cost ~1.3 ms of CPU here against aiohttp's ~0.4 ms (the same keep-alive
connection, uvloop), on the core that also runs the dialogue.
"""

from __future__ import annotations

import asyncio
import json as json_module
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from helpdesk.errors import GraphAPIError, MediaRejected
from helpdesk.settings import get_settings
from helpdesk.whatsapp.payloads import mark_read

logger = logging.getLogger(__name__)

# Meta error codes a retry can fix (throttling and temporary failures).
# Seconds an idle connection stays in the pool (servers commonly close at 5).
KEEPALIVE_SECONDS = 4.0

RETRYABLE_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 133004}


class TokenBucket:
    """Paces calls to ``rate`` per second with bursts up to ``burst`` (Meta: 80 msg/s)."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = max(rate, 0.001)
        self.capacity = burst if burst is not None else max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


@dataclass(frozen=True)
class MediaInfo:
    id: str
    url: str
    mime_type: str | None
    file_size: int | None
    sha256: str | None


class GraphClient:
    """``send``, ``upload_media``, ``media_info``, ``download_media``, ``mark_read``.

    Every call is retried up to ``retries`` times with exponential backoff and jitter on
    connection errors, timeouts, HTTP 5xx and Meta's retryable codes (130429 rate limit…);
    anything else raises ``GraphAPIError`` at once with Meta's code.
    """

    def __init__(
        self,
        *,
        base_url: str,
        access_token: str,
        phone_number_id: str,
        api_version: str = "v21.0",
        messages_per_second: float = 80.0,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 15.0,
        redis_url: str | None = None,
        pacing_share: int = 1,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self.api_version = api_version
        self.retries = retries
        self.backoff = backoff
        self._token = access_token
        # No burst: evenly spaced sends stay under Meta's limit despite network jitter.
        self._bucket: Any = TokenBucket(messages_per_second, burst=1)
        if redis_url:
            from helpdesk.whatsapp.pacing import RedisPacer

            # Replicas share one schedule per number; without Redis each keeps 1/N of it.
            self._bucket = RedisPacer(
                redis_url,
                rate=messages_per_second,
                key=f"helpdesk:pacing:{phone_number_id}",
                fallback=TokenBucket(messages_per_second / max(pacing_share, 1), burst=1),
            )
        self.timeout = timeout
        self._http: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(cls, settings: Any = None, **overrides: Any) -> GraphClient:
        settings = settings or get_settings()
        options = {
            "base_url": settings.whatsapp_graph_url,
            "access_token": settings.whatsapp_access_token or "",
            "phone_number_id": settings.whatsapp_phone_number_id,
            "api_version": settings.whatsapp_api_version,
            "messages_per_second": settings.whatsapp_messages_per_second,
            "redis_url": settings.redis_url,
            "pacing_share": settings.replicas,
        }
        options.update(overrides)
        return cls(**options)

    @property
    def http(self) -> aiohttp.ClientSession:
        """The connection pool, made on first use (inside the running loop: it is bound to
        it)."""
        if self._http is None:
            self._http = aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {self._token}"},
                # Per connect and per read, as httpx had it: a large download may take
                # longer in all, as long as bytes keep coming.
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=self.timeout, sock_read=self.timeout
                ),
                # Idle connections are dropped before a server's usual 5 s keep-alive ends,
                # so a request never goes out on one the server is closing.
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        if hasattr(self._bucket, "aclose"):
            await self._bucket.aclose()

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{self.api_version}/{path.lstrip('/')}"

    async def send(self, payload: dict[str, Any]) -> str:
        """POST a message body; returns the new message's wamid."""
        await self._bucket.acquire()
        data = await self._request(
            "POST", self._url(f"{self.phone_number_id}/messages"), json=payload
        )
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as error:
            raise GraphAPIError(f"unexpected /messages answer: {data!r}") from error

    async def mark_read(self, wamid: str, *, typing: bool = True) -> None:
        await self._request(
            "POST",
            self._url(f"{self.phone_number_id}/messages"),
            json=mark_read(wamid, typing=typing),
        )

    async def upload_media(self, data: bytes, *, mime: str, filename: str = "file") -> str:
        """Upload bytes to ``/{phone-number-id}/media``; returns the media id."""

        def form() -> aiohttp.FormData:  # a form is read once: a fresh one per attempt
            fields = aiohttp.FormData()
            fields.add_field("messaging_product", "whatsapp")
            fields.add_field("type", mime)
            fields.add_field("file", data, filename=filename, content_type=mime)
            return fields

        answer = await self._request("POST", self._url(f"{self.phone_number_id}/media"), form=form)
        return str(answer["id"])

    async def media_info(self, media_id: str) -> MediaInfo:
        data = await self._request("GET", self._url(media_id))
        return MediaInfo(
            id=str(data.get("id") or media_id),
            url=str(data["url"]),
            mime_type=data.get("mime_type"),
            file_size=data.get("file_size"),
            sha256=data.get("sha256"),
        )

    async def download_media(self, media_id: str, *, max_bytes: int) -> tuple[bytes, MediaInfo]:
        """``GET /{media-id}`` → URL (valid ~5 minutes) → ``GET`` it with the bearer token.

        The URL is fetched afresh on each attempt, so an expired URL is simply retried.
        Raises ``MediaRejected('too_large')`` beyond ``max_bytes`` without reading the rest.
        """
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            info = await self.media_info(media_id)
            if info.file_size and info.file_size > max_bytes:
                raise MediaRejected("too_large", f"{info.file_size} bytes > {max_bytes}")
            try:
                return await self._download(info, max_bytes), info
            except GraphAPIError as error:
                last = error
                if not error.retryable or attempt == self.retries:
                    raise
                await self._sleep(attempt)
        raise last or GraphAPIError("media download failed")  # pragma: no cover

    async def _download(self, info: MediaInfo, max_bytes: int) -> bytes:
        try:
            async with self.http.get(info.url) as response:
                if response.status != 200:
                    # 404/410: the URL expired; 5xx: Meta's CDN hiccup. Both: get a new URL.
                    retryable = response.status in (404, 410) or response.status >= 500
                    raise GraphAPIError(
                        f"media download answered HTTP {response.status}",
                        status=response.status,
                        retryable=retryable,
                    )
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaRejected("too_large", f"more than {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except (asyncio.TimeoutError, aiohttp.ClientError) as error:
            raise GraphAPIError(f"media download failed: {error!r}", retryable=True) from error

    async def _sleep(self, attempt: int) -> None:
        delay = self.backoff * (2**attempt) * (0.75 + random.random() / 2)
        await asyncio.sleep(delay)

    async def _request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            try:
                return await self._request_once(method, url, **kwargs)
            except GraphAPIError as error:
                if not error.retryable or attempt == self.retries:
                    raise
                logger.warning(
                    "Graph API %s %s failed (%s), retry %d", method, url, error, attempt + 1
                )
                await self._sleep(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request_once(
        self,
        method: str,
        url: str,
        *,
        json: dict[str, Any] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
    ) -> dict[str, Any]:
        try:
            async with self.http.request(
                method, url, json=json, data=form() if form is not None else None
            ) as response:
                status = response.status
                raw = await response.read()
        except (asyncio.TimeoutError, aiohttp.ClientError) as error:
            raise GraphAPIError(f"Graph API unreachable: {error!r}", retryable=True) from error
        try:
            data = json_module.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if status < 400 and "error" not in data:
            return data
        error = data.get("error")
        error = error if isinstance(error, dict) else {}
        code = error.get("code")
        retryable = status >= 500 or code in RETRYABLE_CODES
        text = raw[:200].decode("utf-8", errors="replace")
        raise GraphAPIError(
            f"Graph API error {code}: {error.get('message') or text}",
            code=code,
            status=status,
            retryable=retryable,
        )
