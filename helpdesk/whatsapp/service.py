"""The channel's moving parts wired together, for any web framework to mount.

``WhatsAppService`` answers the GET handshake, accepts signed POSTs into the durable inbox,
and runs the worker that hands each stored message to ``deliver`` (the Rasa channel gives a
function that builds a ``UserMessage``). The Rasa channel in ``channels/whatsapp.py`` is a
thin adapter around it, and the benchmark and tests mount it directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.db import autocommit, default_url
from helpdesk.errors import MalformedWebhook, SignatureError
from helpdesk.settings import get_settings
from helpdesk.whatsapp import inbox, signature, wakeup, webhook
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.identity import identify
from helpdesk.whatsapp.inbound import Deliver, InboundProcessor
from helpdesk.whatsapp.outbound import Sender, TellAgent
from helpdesk.whatsapp.records import advance, apply_status
from helpdesk.whatsapp.states import FailureHandling, OutboundStatus
from helpdesk.whatsapp.webhook import Status
from helpdesk.whatsapp.writes import ACK_EXECUTOR, write_session

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelConfig:
    access_token: str
    app_secret: str
    verify_token: str
    phone_number_id: str
    graph_url: str
    api_version: str = "v21.0"
    messages_per_second: float = 80.0
    window_template: str | None = None
    database_url: str | None = None
    graph_retries: int = 4
    graph_backoff: float = 0.5
    graph_timeout: float = 15.0
    redis_url: str | None = None
    replicas: int = 1
    merge_messages: bool = True  # one turn's replies merged (compose) before sending
    reply_confirm_seconds: float = 60.0  # Sender.confirm_wait

    @classmethod
    def from_settings(cls, overrides: dict[str, Any] | None = None) -> ChannelConfig:
        """Settings, with non-empty ``overrides`` (e.g. from credentials.yml) on top."""
        s = get_settings()
        values: dict[str, Any] = {
            "access_token": s.whatsapp_access_token or "",
            "app_secret": s.whatsapp_app_secret or "",
            "verify_token": s.whatsapp_verify_token or "",
            "phone_number_id": s.whatsapp_phone_number_id,
            "graph_url": s.whatsapp_graph_url,
            "api_version": s.whatsapp_api_version,
            "messages_per_second": s.whatsapp_messages_per_second,
            "window_template": s.whatsapp_window_template,
            "database_url": s.database_url,
            "graph_retries": cls.graph_retries,
            "graph_backoff": cls.graph_backoff,
            "graph_timeout": cls.graph_timeout,
            "redis_url": s.redis_url,
            "replicas": s.replicas,
            "merge_messages": s.whatsapp_merge_messages,
            "reply_confirm_seconds": s.whatsapp_reply_confirm_seconds,
        }
        for key, value in (overrides or {}).items():
            if key in values and value not in (None, ""):
                values[key] = value
        return cls(**values)


def store_events(
    session: Session, *, events: webhook.WebhookEvents, senders: list[str] | None = None
) -> tuple[int, int]:
    """Store a webhook's messages in the inbox under each customer's identity and apply
    its statuses to the outbound records, in the caller's one transaction; returns
    ``(stored, duplicates)``. ``senders`` gets the customers' keys, each once."""
    messages = [identify(session, message=m) for m in events.messages]
    if senders is not None:
        senders.extend(dict.fromkeys(m.sender_id for m in messages))
    stored, duplicates = inbox.store_messages(session, messages=messages)
    for status in events.statuses:
        apply_status(session, status=status)
    return stored, duplicates


@dataclass(frozen=True)
class Acknowledgement:
    status: int
    stored: int = 0
    duplicates: int = 0
    text: str = "ok"
    # Where the store's milliseconds went: ``queue`` (until its thread ran), ``store`` (the
    # transaction), ``resume`` (until the event loop took the answer back).
    timings: dict[str, float] = field(default_factory=dict)


class WhatsAppService:
    def __init__(
        self,
        config: ChannelConfig,
        *,
        background_jobs: Sequence[Callable[..., Awaitable[Any]]] = (),
        on_stop: TellAgent | None = None,
        failures: FailureHandling = FailureHandling.HERE,
        **worker_options: Any,
    ) -> None:
        """``background_jobs``: long-running coroutines started with the worker (each called
        with ``url=``), such as the daily retention purge; the caller chooses them because
        they belong to layers above the channel. ``on_stop`` tells agents when WhatsApp
        cannot reach a customer. ``failures``: who reacts to a failed status (see
        ``FailureHandling``)."""
        self.config = config
        self.failures = failures
        self.background_jobs = tuple(background_jobs)
        self._jobs_started = False
        self.on_stop = on_stop
        self.worker_options = worker_options
        self.worker: inbox.InboxWorker | None = None
        self._client: GraphClient | None = None
        self._sender: Sender | None = None
        self._background: set[asyncio.Task] = set()
        self._wakeups: wakeup.WakeListener | None = None
        self._failures: wakeup.FailureListener | None = None

    @functools.cached_property
    def _postgresql(self) -> bool:
        return (self.config.database_url or default_url()).startswith("postgresql")

    # --- outbound parts (created inside the running loop, httpx clients are loop-bound) ---

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            c = self.config
            self._client = GraphClient(
                base_url=c.graph_url,
                access_token=c.access_token,
                phone_number_id=c.phone_number_id,
                api_version=c.api_version,
                messages_per_second=c.messages_per_second,
                retries=c.graph_retries,
                backoff=c.graph_backoff,
                timeout=c.graph_timeout,
                redis_url=c.redis_url,
                pacing_share=c.replicas,
            )
        return self._client

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = Sender(
                self.client,
                url=self.config.database_url,
                window_template=self.config.window_template,
                on_stop=self.on_stop,
                confirm_wait=self.config.reply_confirm_seconds,
            )
        return self._sender

    # --- inbound ---

    def handshake(self, params: dict[str, str]) -> tuple[int, str]:
        """Meta's GET verification: echo ``hub.challenge`` if mode and token are right."""
        token = params.get("hub.verify_token") or ""
        if (
            params.get("hub.mode") == "subscribe"
            and self.config.verify_token
            and hmac.compare_digest(token.encode(), self.config.verify_token.encode())
        ):
            return 200, params.get("hub.challenge") or ""
        return 403, "forbidden"

    def _store(self, events: webhook.WebhookEvents) -> tuple[int, int, list[str]]:
        senders: list[str] = []
        if not events.messages and self._postgresql:
            # Statuses only (two or three per reply): each the one UPDATE that moves its
            # reply's row on, committed by itself; what that cannot apply (no row yet, a
            # failure) goes the transaction's way below.
            with autocommit(self.config.database_url) as connection:
                left = [s for s in events.statuses if not advance(connection, status=s)]
            if not left:
                return 0, 0, senders
            events = replace(events, statuses=left)
        with write_session(self.config.database_url, urgent=True) as session:
            stored, duplicates = store_events(session, events=events, senders=senders)
        if stored and self.config.redis_url:
            # The worker may run in another process (helpdesk.ingest stored this one); the
            # 200 does not wait for Redis. It names the customers: the worker claims theirs
            # at once instead of first asking the inbox which customers are due.
            wakeup.announce_soon(self.config.redis_url, senders)
        return stored, duplicates, senders

    async def receive(self, raw: bytes, signature_header: str | None) -> Acknowledgement:
        """Verify, parse and store one webhook POST; the answer to give Meta."""
        try:
            signature.verify(self.config.app_secret, raw, signature_header)
        except SignatureError as error:
            logger.warning("Rejected a webhook: %s", error)
            return Acknowledgement(403, text="invalid signature")
        try:
            events = webhook.parse(raw, phone_number_id=self.config.phone_number_id)
        except MalformedWebhook as error:
            logger.warning("Rejected a malformed webhook: %s", error)
            return Acknowledgement(400, text="malformed webhook")
        for error in events.errors:
            logger.warning("WhatsApp reported an error in a webhook: %s", error)
        if not events.messages and not events.statuses:
            return Acknowledgement(200)
        # A thread keeps the event loop (and Rasa's other requests) free during the commit.
        loop = asyncio.get_running_loop()
        marks = [time.perf_counter()]

        def store() -> tuple[int, int, list[str]]:
            marks.append(time.perf_counter())
            try:
                return self._store(events)
            finally:
                marks.append(time.perf_counter())

        try:
            stored, duplicates, senders = await loop.run_in_executor(ACK_EXECUTOR, store)
        except Exception:
            # Not stored, so not acknowledged: Meta retries the delivery for up to 7 days.
            logger.exception("Could not store a webhook in the inbox")
            return Acknowledgement(503, text="try again later")
        marks.append(time.perf_counter())
        timings = {
            name: round((end - start) * 1000, 2)
            for name, start, end in zip(
                ("queue", "store", "resume"), marks[:-1], marks[1:], strict=True
            )
        }
        if stored and self.worker is not None:
            self.worker.wake(senders)
        failed = [s for s in events.statuses if s.status == OutboundStatus.FAILED]
        if failed and self.failures is FailureHandling.HAND_OVER and self.config.redis_url:
            # Reacting is the worker's work: the acknowledgements' loop stays free of it,
            # and the 200 does not wait for Redis (refused: this process reacts after all).
            refused = functools.partial(loop.call_soon_threadsafe, self._react, failed)
            wakeup.hand_over_soon(self.config.redis_url, failed, on_refused=refused)
            failed = []
        self._react(failed)
        return Acknowledgement(200, stored=stored, duplicates=duplicates, timings=timings)

    def _react(self, statuses: list[Status]) -> None:
        for status in statuses:
            self._spawn(self.sender.resend(status))

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- worker ---

    def start(self, deliver: Deliver) -> inbox.InboxWorker:
        """Start processing the inbox (rows left from a previous run included)."""
        if self.worker is None or not self.worker.running:
            processor = InboundProcessor(
                self.client, self.sender, deliver, url=self.config.database_url
            )
            self.worker = inbox.InboxWorker(
                processor,
                on_poison=processor.on_poison,
                url=self.config.database_url,
                **self.worker_options,
            )
            self.worker.start()
            if self.config.redis_url and self._wakeups is None:
                self._wakeups = wakeup.WakeListener(self.config.redis_url, self._wake_worker)
                self._wakeups.start()
            if (
                self.config.redis_url
                and self.failures is FailureHandling.TAKEN
                and self._failures is None
            ):
                self._failures = wakeup.FailureListener(self.config.redis_url, self._react)
                self._failures.start()
            self._start_background_jobs()
        return self.worker

    def _wake_worker(self, senders: list[str]) -> None:
        if self.worker is not None:
            self.worker.wake(senders)

    def _start_background_jobs(self) -> None:
        if self._jobs_started:
            return
        self._jobs_started = True
        for job in self.background_jobs:
            self._spawn(job(url=self.config.database_url))

    async def stop(self) -> None:
        if self._wakeups is not None:
            self._wakeups.stop()
            self._wakeups = None
        if self._failures is not None:
            self._failures.stop()
            self._failures = None
        if self.worker is not None:
            await self.worker.stop()
        for task in list(self._background):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None
            self._sender = None
