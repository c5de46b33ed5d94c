"""Webhooks from the sandbox to the bot, built and signed exactly like Meta's.

A webhook the bot does not acknowledge with 200 (a 5xx, a refused connection while Rasa
restarts) is tried again as Meta does, with exponential backoff over a long window
(``RetryPolicy``: 0.5 s, 1 s, 2 s … at most ``HELPDESK_SANDBOX_RETRY_MAX_DELAY``, for
``HELPDESK_SANDBOX_RETRY_WINDOW`` seconds in all; Meta's own window is 7 days), so a message
sent while the bot is down reaches it once it is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from helpdesk.sandbox.graph_api import failed_error
from helpdesk.sandbox.state import SandboxState, now
from helpdesk.whatsapp.graph import KEEPALIVE_SECONDS
from helpdesk.whatsapp.signature import HEADER, sign

logger = logging.getLogger(__name__)

WABA_ID = "102290129340398"
DISPLAY_NUMBER = "15550000001"


@dataclass(frozen=True)
class RetryPolicy:
    """When to try an unacknowledged webhook again: doubling waits within a window."""

    first: float = 0.5
    longest: float = 15.0
    window: float = 3600.0

    def delays(self) -> Any:
        """The waits before each retry, until their sum would pass the window."""
        spent, delay = 0.0, min(self.first, self.longest)
        while spent + delay <= self.window:
            yield delay
            spent += delay
            delay = min(delay * 2, self.longest)


class Notifier:
    def __init__(self, config: Any, state: SandboxState) -> None:
        self.config = config
        self.retry = RetryPolicy(
            longest=getattr(config, "retry_max_delay", RetryPolicy.longest),
            window=getattr(config, "retry_window", RetryPolicy.window),
        )
        self.state = state
        self._http: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def http(self) -> aiohttp.ClientSession:
        """aiohttp, as the bot's own Graph client (helpdesk.whatsapp.graph): the sandbox
        posts two or three webhooks per reply, and on one machine with the bot under load
        httpx's ~1.3 ms of CPU per request against aiohttp's ~0.4 is the bot's CPU too."""
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10.0),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return self._http

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._http is not None:
            await self._http.close()

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": WABA_ID,
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": DISPLAY_NUMBER,
                                    "phone_number_id": self.config.phone_number_id,
                                },
                                **value,
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }

    async def deliver(self, body: dict[str, Any]) -> int:
        """POST a signed webhook to the bot; returns the HTTP status (0: unreachable)."""
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json", HEADER: sign(self.config.app_secret, raw)}
        self.state.webhook_log.append(body)
        del self.state.webhook_log[:-200]
        try:
            async with self.http.post(
                self.config.webhook_url, data=raw, headers=headers
            ) as response:
                await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("Bot webhook %s unreachable: %r", self.config.webhook_url, error)
            return 0
        if response.status != 200:
            logger.warning("Bot webhook answered %s", response.status)
        return response.status

    async def deliver_with_retries(self, body: dict[str, Any]) -> int:
        """Meta retries a webhook the bot did not acknowledge; so does the sandbox
        (``self.retry``). Returns the last HTTP status (200 once acknowledged)."""
        status = await self.deliver(body)
        started, tries = time.monotonic(), 1
        for delay in self.retry.delays():
            if status == 200:
                break
            await asyncio.sleep(delay)
            status = await self.deliver(body)
            tries += 1
        if status != 200:
            logger.error(
                "Gave up on a webhook after %d tries over %.0f s (HELPDESK_SANDBOX_RETRY_WINDOW)",
                tries,
                time.monotonic() - started,
            )
        return status

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def status_body(
        self, item: dict[str, Any], wa_id: str, status: str, error: dict | None = None
    ) -> dict[str, Any]:
        customer = self.state.customer(wa_id)
        entry: dict[str, Any] = {"id": item["id"], "status": status, "timestamp": str(now())}
        # A username-only customer's statuses carry only the BSUID, never a phone number.
        if customer.phone:
            entry["recipient_id"] = customer.phone
        entry["recipient_user_id"] = customer.user_id
        callback = (item.get("payload") or {}).get("biz_opaque_callback_data")
        if callback:  # Meta echoes it in every status of the message
            entry["biz_opaque_callback_data"] = callback
        if error:
            entry["errors"] = [error]
        else:
            entry["pricing"] = pricing(item)
        return self.envelope({"statuses": [entry]})

    def statuses(
        self, item: dict[str, Any], wa_id: str, *, failure: int | None, delay: float = 0.0
    ) -> None:
        """sent then delivered (read follows when the customer opens the chat), or failed;
        ``delay``: seconds more before the first (a fault test's late statuses)."""

        async def run() -> None:
            # Meta's statuses arrive after the API answered; the small delay keeps that order.
            await asyncio.sleep(self.config.status_delay + delay)
            if failure:
                item["status"] = "failed"
                item["error"] = failed_error(failure)
                await self.deliver_with_retries(
                    self.status_body(item, wa_id, "failed", failed_error(failure))
                )
                return
            for status in ("sent", "delivered"):
                if item["status"] in ("read",):
                    break
                item["status"] = status
                await self.deliver_with_retries(self.status_body(item, wa_id, status))

        self.spawn(run())

    def read(self, item: dict[str, Any], wa_id: str) -> None:
        if item.get("status") in ("sent", "delivered"):
            item["status"] = "read"
            self.spawn(self.deliver_with_retries(self.status_body(item, wa_id, "read")))
            if item.get("type") == "audio":
                # The phone plays a voice message as soon as the chat is open.
                item["status"] = "played"
                self.spawn(self.deliver_with_retries(self.status_body(item, wa_id, "played")))


def pricing(item: dict[str, Any]) -> dict[str, Any]:
    """The per-message ``pricing`` object Meta puts on sent/delivered/read statuses.

    Templates count as utility (the sandbox's templates are re-engagement notices); every
    other message is a service message, billable since 1 October 2026.
    """
    category = "utility" if item.get("type") == "template" else "service"
    return {"billable": True, "pricing_model": "PMP", "category": category, "type": "regular"}
