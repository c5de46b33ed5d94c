"""The WhatsApp inbox worker on a process of its own: Rasa's core does only dialogue.

A Rasa server is one event loop on one core. With the inbox worker inside it, every
WhatsApp turn also paid there for the claims and ``done`` marks, the media downloads, the
customer bookkeeping and language decision, composing and pacing the replies, the Graph
calls and the outbound records (85 ms of Rasa CPU per WhatsApp turn against 48 ms per REST
turn): WhatsApp saturated a replica at 6 turns/s where REST held 10. Here the same worker
(``helpdesk.whatsapp`` — claims per customer, in order, leases, retries, replay keys) runs
in ``helpdesk worker``, and ``RasaTurns`` hands each message's dialogue turn to a replica's
internal endpoint (``channels.whatsapp_turns``), which answers with what the bot said, as
Rasa's REST channel does; the worker sends it.

Replica choice: by customer (a stable hash), so one customer's turns go to one replica and
its in-flight check sees a repeated request; a replica that refuses the connection or is
still loading (503) is skipped for the next. Any other failure (the replica died mid-turn,
a timeout) is not retried elsewhere at once — the turn may have run — but left to the
inbox: the next attempt asks first whether a saved turn holds the message and sends that
turn's replies instead of running it again.

``create_app`` is a small web app with only a health route (readiness for the supervisor
and the tests); the worker starts with it and stops with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from typing import Any

import aiohttp
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk import retention
from helpdesk.errors import DialogueUnavailable
from helpdesk.settings import get_settings
from helpdesk.tickets.delivery import ticket_notifier
from helpdesk.tickets.routing import BotTurn, bot_turn, dialogue_metadata, with_language
from helpdesk.whatsapp.inbound import Turn
from helpdesk.whatsapp.inbox import InboxItem
from helpdesk.whatsapp.replies import Replies
from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService
from helpdesk.whatsapp.states import FailureHandling

logger = logging.getLogger(__name__)

TURN_PATH = "/webhooks/whatsapp_turns/webhook"
# A turn under load takes seconds; the inbox lease is renewed meanwhile, so a long wait
# costs nothing but this customer's next message.
TURN_TIMEOUT = 120.0
# Seconds an idle connection to a replica stays in the pool (Rasa's server closes at 5).
KEEPALIVE_SECONDS = 4.0


def replica_urls(*, host: str, first_port: int, replicas: int) -> list[str]:
    """The Rasa replicas of the production topology (``helpdesk.deploy.topology``)."""
    return [f"http://{host}:{first_port + i}" for i in range(replicas)]


class RasaTurns:
    """The worker's ``deliver``: one message's dialogue turn on a Rasa replica, then its
    replies to the customer."""

    def __init__(
        self,
        service: WhatsAppService,
        *,
        urls: list[str],
        token: str,
        timeout: float = TURN_TIMEOUT,
    ) -> None:
        if not urls:
            raise DialogueUnavailable("no Rasa replica to send turns to")
        self.service = service
        self.urls = [url.rstrip("/") for url in urls]
        self.token = token
        self.timeout = timeout
        self._client: aiohttp.ClientSession | None = None

    @property
    def client(self) -> aiohttp.ClientSession:
        """aiohttp, not httpx: a turn's request cost ~0.4 ms of CPU against httpx's ~1.3."""
        if self._client is None:  # inside the running loop: the session is loop-bound
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=5.0, sock_read=self.timeout),
                headers={"Authorization": f"Bearer {self.token}"},
                # Idle connections go before the replica's own 5 s keep-alive ends them.
                connector=aiohttp.TCPConnector(limit=64, keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def replicas_for(self, sender_id: str) -> list[str]:
        """The replicas in the order this customer's turns try them (the first one always,
        unless it refuses)."""
        first = zlib.crc32(sender_id.encode()) % len(self.urls)
        return self.urls[first:] + self.urls[:first]

    async def _post(self, sender_id: str, body: dict[str, Any]) -> dict[str, Any]:
        problems = []
        for url in self.replicas_for(sender_id):
            try:
                async with self.client.post(url + TURN_PATH, json=body) as answer:
                    status, raw = answer.status, await answer.read()
            except aiohttp.ClientConnectorError as error:  # never reached: the turn did not run
                problems.append(f"{url}: {error}")
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                raise DialogueUnavailable(f"{url} did not answer the turn: {error!r}") from error
            if status == 503:  # loading its model: the turn did not run
                problems.append(f"{url}: not ready")
                continue
            if status != 200:
                text = raw[:200].decode("utf-8", errors="replace")
                raise DialogueUnavailable(f"{url} answered the turn with {status}: {text}")
            try:
                return json.loads(raw)
            except ValueError as error:
                raise DialogueUnavailable(f"{url} answered the turn with {raw[:200]!r}") from error
        raise DialogueUnavailable("no Rasa replica took the turn: " + "; ".join(problems))

    async def _send(self, sender_id: str, messages: list[dict[str, Any]]) -> None:
        replies = Replies(self.service.sender, batch=self.service.config.merge_messages)
        await replies.send_all(sender_id, messages)

    async def __call__(self, sender_id: str, turn: Turn) -> None:
        message_id = turn.metadata.get("wamid")
        body = {"sender": sender_id, "message_id": message_id, "attempt": turn.attempt}
        if turn.attempt > 1 and message_id:
            # The previous attempt may have stopped after Rasa saved the turn: its replies
            # (those already sent are skipped by their reply keys), not a second run.
            saved = await self._post(sender_id, {**body, "run": False})
            if saved.get("saved"):
                logger.info("Message %s already had its dialogue turn: sending it", message_id)
                await self._send(sender_id, saved.get("messages") or [])
                return
        if isinstance(turn.prepared, BotTurn):  # looked up when the message was claimed
            metadata: dict[str, Any] | None = with_language(turn.metadata, turn.prepared.language)
        else:
            metadata = await asyncio.to_thread(
                dialogue_metadata, sender_id=sender_id, text=turn.text, metadata=turn.metadata
            )
        if metadata is None:
            return  # a person has the case: the message is on the ticket
        answer = await self._post(sender_id, {**body, "text": turn.text, "metadata": metadata})
        await self._send(sender_id, answer.get("messages") or [])


def prepare_turn(session: Session, item: InboxItem) -> BotTurn | None:
    """The inbox worker's ``prepare``: for a text message, whether the bot has the
    conversation and the turn's language, in the claim's transaction (``bot_turn``); other
    messages (media, buttons) become their turn's text only later, and go the long way."""
    if item.type != "text":
        return None
    text = (item.message.get("text") or {}).get("body") or ""
    return bot_turn(session, sender_id=item.sender_id, text=text, metadata={})


def create_app(
    config: ChannelConfig | None = None,
    *,
    rasa_urls: list[str] | None = None,
    **worker_options: Any,
) -> Starlette:
    """The worker process: the inbox worker (with the daily retention purge) feeding the
    Rasa replicas at ``rasa_urls`` (default: the topology's, from the settings)."""
    settings = get_settings()
    config = config or ChannelConfig.from_settings()
    urls = rasa_urls or replica_urls(
        host=settings.internal_host, first_port=settings.rasa_port, replicas=settings.replicas
    )
    jobs = (retention.run_daily,) if settings.retention_daily_purge else ()
    service = WhatsAppService(
        config,
        background_jobs=jobs,
        on_stop=ticket_notifier(config.database_url),
        failures=FailureHandling.TAKEN,  # also the failed statuses the ingest hands over
        **{"prepare": prepare_turn, **worker_options},
    )
    turns = RasaTurns(service, urls=urls, token=settings.rasa_token or "")

    async def health(_request: Request) -> Response:
        worker = service.worker
        running = worker is not None and worker.running
        return JSONResponse({"status": "ok" if running else "stopped"}, 200 if running else 503)

    async def startup() -> None:
        service.start(turns)

    async def shutdown() -> None:
        await service.stop()
        await turns.aclose()

    app = Starlette(
        routes=[Route("/health", health, methods=["GET"])],
        on_startup=[startup],
        on_shutdown=[shutdown],
    )
    app.state.service = service
    app.state.turns = turns
    return app
