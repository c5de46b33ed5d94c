"""What every external backend shares: the ticket snapshot, attachments, and an HTTP
request loop with the retry policy (429 + Retry-After, 5xx, connection errors)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from helpdesk.errors import TicketingError

logger = logging.getLogger(__name__)

PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class TicketData:
    id: int
    sender_id: str
    subject: str
    summary: str
    priority: str
    queue: str
    use_case: str
    language: str = "en"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str


@dataclass(frozen=True)
class External:
    ticket_id: str
    requester_id: str | None = None


class TicketBackend:
    name = "external"

    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str],
        retries: int = 3,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        timeout: float = 30.0,
        sleep: Any = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.max_wait = max_wait
        self.backoff = backoff
        self._sleep = sleep
        self._http = httpx.Client(auth=auth, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def create(self, ticket: TicketData, attachments: list[Attachment]) -> External:
        raise NotImplementedError

    def comment(self, external: External, text: str, attachments: list[Attachment]) -> None:
        raise NotImplementedError

    def note(self, external: External, text: str) -> None:
        """A private note on the ticket there (what happened on our side)."""
        raise NotImplementedError

    def solve(self, external: External, note: str) -> None:
        """Mark the ticket solved there, with a private ``note`` saying why."""
        raise NotImplementedError

    def erase(self, external: External) -> int:
        """Erasure on request: delete the ticket there for good, and its requester with
        everything they hold; returns how many records went (one already gone counts 0)."""
        raise NotImplementedError

    def describe_error(self, response: httpx.Response) -> str:
        return response.text[:300]

    def request(self, method: str, path: str, *, expect: tuple[int, ...], **kwargs: Any) -> Any:
        """One API call with retries; the decoded JSON answer, or ``TicketingError``."""
        response = self._send(method, path, expect=expect, **kwargs)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            return {}

    def delete(self, path: str, **kwargs: Any) -> bool:
        """``DELETE path`` with retries: True if it was deleted now, False if already gone."""
        return self._send("DELETE", path, expect=(200, 204, 404), **kwargs).status_code != 404

    def _send(
        self, method: str, path: str, *, expect: tuple[int, ...], **kwargs: Any
    ) -> httpx.Response:
        url = self.base_url + path
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.HTTPError as error:
                if last:
                    raise TicketingError(f"{self.name} unreachable: {error!r}") from error
                self._sleep(self.backoff * 2**attempt)
                continue
            if response.status_code in expect:
                return response
            if response.status_code == 429 or response.status_code >= 500:
                wait = _retry_after(response, self.backoff * 2**attempt)
                if not last and wait <= self.max_wait:
                    logger.warning(
                        "%s answered %s to %s %s; retrying in %.1fs",
                        self.name,
                        response.status_code,
                        method,
                        path,
                        wait,
                    )
                    self._sleep(wait)
                    continue
            raise TicketingError(
                f"{self.name} refused {method} {path}: HTTP {response.status_code} "
                f"{self.describe_error(response)}",
                hint=_hint(self.name, response.status_code),
            )
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default


def _hint(name: str, status: int) -> str:
    if status in (401, 403):
        return f"Check the {name} credentials in the settings; the case stays in the console."
    if status == 429:
        return f"{name} is rate limiting; the case stays in the console, retry later."
    return f"The case stays in the console; fix the {name} setup and retry."
