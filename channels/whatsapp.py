"""Rasa channel for the WhatsApp Cloud API: a thin adapter over ``helpdesk.whatsapp``.

credentials.yml::

    channels.whatsapp.WhatsAppInput:
      access_token: ${WHATSAPP_ACCESS_TOKEN}
      app_secret: ${WHATSAPP_APP_SECRET}
      verify_token: ${WHATSAPP_VERIFY_TOKEN}
      phone_number_id: ${WHATSAPP_PHONE_NUMBER_ID}
      graph_url: ${WHATSAPP_GRAPH_URL}

Empty values fall back to ``helpdesk.settings``. The webhook is
``/webhooks/whatsapp/webhook``: GET answers Meta's handshake, POST stores the events in the
durable inbox and answers 200 at once; the inbox worker (started with the server) feeds each
message to Rasa as a ``UserMessage`` and replies go out through ``WhatsAppOutput``. With
``HELPDESK_INBOX_WORKER=process`` the worker runs in ``helpdesk worker`` instead and feeds
the turns through ``channels.whatsapp_turns``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.saved_turns import replies_of_message
from helpdesk import retention
from helpdesk.settings import InboxWorkerHost, get_settings
from helpdesk.tickets.delivery import ticket_notifier
from helpdesk.tickets.routing import dialogue_metadata
from helpdesk.whatsapp.inbound import Turn
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.replies import Replies
from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService

logger = logging.getLogger(__name__)


class AgentNotReady(RuntimeError):
    """Rasa has not loaded its model yet; the inbox retries the message later."""

    retryable = True


class WhatsAppOutput(OutputChannel):
    """Sends Rasa's responses through ``helpdesk.whatsapp.replies.Replies``."""

    def __init__(self, sender: Sender, *, batch: bool = False) -> None:
        # batch: collect one turn's replies and send them merged at ``flush`` (compose).
        self.replies = Replies(sender, batch=batch)

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def flush(self) -> None:
        await self.replies.flush()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.replies.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.replies.text(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.replies.choices(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.replies.choices(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.replies.image(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self.replies.attachment(recipient_id, attachment)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self.replies.custom(recipient_id, json_message)


class WhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        return cls(ChannelConfig.from_settings(credentials or {}))

    def __init__(self, config: ChannelConfig, **worker_options: Any) -> None:
        settings = get_settings()
        # HELPDESK_INBOX_WORKER=process: ``helpdesk worker`` runs the inbox (and the purge)
        # and posts the turns to channels.whatsapp_turns; this server only stores webhooks
        # (as the ingest process's backup) and sends what the HTTP API triggers.
        self.runs_worker = (settings.inbox_worker or InboxWorkerHost.RASA) is InboxWorkerHost.RASA
        # Retention inside the running product: the purge runs once a day beside the inbox.
        jobs = (retention.run_daily,) if settings.retention_daily_purge else ()
        self.service = WhatsAppService(
            config,
            background_jobs=jobs,
            on_stop=ticket_notifier(config.database_url),
            **worker_options,
        )

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self.service.sender)

    def _deliver(
        self, app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[str, Turn], Awaitable[None]]:
        async def deliver(sender_id: str, turn: Turn) -> None:
            # Rasa sets app.ctx.agent before the server starts; until its model is loaded
            # the agent drops messages silently, so the inbox keeps them and retries.
            agent = getattr(getattr(app, "ctx", None), "agent", None)
            if agent is not None and not agent.is_ready():
                raise AgentNotReady("the Rasa model is not loaded yet")
            if turn.attempt > 1 and await self._finish_saved_turn(agent, sender_id, turn):
                return
            metadata = await asyncio.to_thread(
                dialogue_metadata, sender_id=sender_id, text=turn.text, metadata=turn.metadata
            )
            if metadata is None:
                return  # a person has the case: the message is on the ticket
            output = WhatsAppOutput(self.service.sender, batch=self.service.config.merge_messages)
            try:
                await on_new_message(
                    UserMessage(
                        turn.text,
                        output,
                        sender_id,
                        input_channel=self.name(),
                        message_id=turn.metadata.get("wamid"),
                        metadata=metadata,
                    )
                )
            finally:
                await output.flush()  # the turn's replies, merged

        return deliver

    async def _finish_saved_turn(self, agent: Any, sender_id: str, turn: Turn) -> bool:
        """A retried message whose turn Rasa already saved (the previous attempt stopped
        while sending the replies): send that turn's replies — those already sent are
        skipped by their reply keys — instead of running the dialogue a second time."""
        message_id = turn.metadata.get("wamid")
        store = getattr(agent, "tracker_store", None)
        if store is None or not message_id:
            return False
        replies = await replies_of_message(store, sender_id=sender_id, message_id=message_id)
        if replies is None:
            return False  # the previous attempt stopped before the turn was saved: run it
        logger.info("Message %s already had its dialogue turn: sending its replies", message_id)
        await Replies(self.service.sender, batch=self.service.config.merge_messages).send_all(
            sender_id, replies
        )
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("whatsapp_webhook", __name__)
        service = self.service

        @hook.listener("after_server_start")
        async def start_worker(app: Any, _loop: Any) -> None:
            if self.runs_worker:
                service.start(self._deliver(app, on_new_message))

        @hook.listener("before_server_stop")
        async def stop_worker(_app: Any, _loop: Any) -> None:
            await service.stop()

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            params = {key: request.args.get(key) for key in request.args}
            status, text = service.handshake(params)
            return response.text(text, status=status)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.runs_worker and service.worker is None:  # an app without listeners
                service.start(self._deliver(request.app, on_new_message))
            ack = await service.receive(request.body, request.headers.get("x-hub-signature-256"))
            return response.text(ack.text, status=ack.status)

        return hook
