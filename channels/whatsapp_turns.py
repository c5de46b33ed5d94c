"""The dialogue turns of WhatsApp messages, for the inbox worker process (``helpdesk worker``).

With ``HELPDESK_INBOX_WORKER=process`` (the production topology) the inbox worker, the
media downloads, the customer bookkeeping and every Graph call run in a process of their
own, and Rasa's one event loop does only the dialogue, as for a REST turn. The worker
posts each claimed message here::

    POST /webhooks/whatsapp_turns/webhook
    Authorization: Bearer <HELPDESK_RASA_TOKEN>
    {"sender": "...", "text": "...", "metadata": {...}, "message_id": "<wamid>",
     "attempt": 1, "run": true}

and gets back ``{"messages": [...], "saved": false}``: what the bot said, as Rasa hands
it to an output channel; the worker sends it. Exactly once: a message already taken in by
a saved turn (an ``attempt`` after the first, e.g. the worker died while sending) is not
run again: the answer holds that turn's replies with ``"saved": true``; ``"run": false``
asks only for that. A message whose turn is running right now in this process (a worker
that gave up waiting and asks again) waits for that turn's answer instead of running twice.

The token is Rasa's own API token: whoever holds it can already run any turn through the
HTTP API, so it grants nothing new. Nginx never routes this path from outside.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.saved_turns import replies_of_message
from helpdesk.settings import get_settings

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"  # the turns are WhatsApp's: responses, trackers and actions see that


class CollectedReplies(OutputChannel):
    """Keeps the bot's messages exactly as Rasa hands them over (the worker reads them)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return CHANNEL  # channel-specific responses of the domain are WhatsApp's

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.messages.append({"text": text})


class WhatsAppTurnsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "whatsapp_turns"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppTurnsInput:
        return cls((credentials or {}).get("token") or get_settings().rasa_token or "")

    def __init__(self, token: str) -> None:
        self.token = token
        self._running: dict[str, asyncio.Future] = {}

    def _allowed(self, request: Request) -> bool:
        header = request.headers.get("authorization") or ""
        given = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        return bool(self.token) and hmac.compare_digest(given.encode(), self.token.encode())

    async def _turn(
        self,
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        sender = str(body["sender"])
        message_id = str(body.get("message_id") or "") or None
        store = getattr(agent, "tracker_store", None)
        if int(body.get("attempt") or 1) > 1 and message_id and store is not None:
            saved = await replies_of_message(store, sender_id=sender, message_id=message_id)
            if saved is not None:
                logger.info("Message %s already had its dialogue turn", message_id)
                return {"messages": saved, "saved": True}
        if not body.get("run", True):
            return {"messages": [], "saved": False}
        output = CollectedReplies()
        await on_new_message(
            UserMessage(
                body.get("text") or "",
                output,
                sender,
                input_channel=CHANNEL,
                message_id=message_id,
                metadata=body.get("metadata") or {},
            )
        )
        return {"messages": output.messages, "saved": False}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("whatsapp_turns", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def turn(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "a valid token is required"}, status=401)
            body = request.json
            if not isinstance(body, dict) or not body.get("sender"):
                return response.json({"error": "sender and text are required"}, status=400)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                # The worker keeps the message and tries again (a replica still loading).
                return response.json({"error": "the model is not loaded yet"}, status=503)
            key = str(body.get("message_id") or "")
            task = self._running.get(key) if key else None
            if task is None:
                # A task of its own: a worker that hangs up does not cancel a turn half-way.
                task = asyncio.get_running_loop().create_task(
                    self._turn(agent, on_new_message, body)
                )
                if key:
                    self._running[key] = task
                    task.add_done_callback(lambda _t: self._running.pop(key, None))
            try:
                answer = await asyncio.shield(task)
            except Exception as error:
                logger.exception("The dialogue turn of %s failed", key or "a message")
                return response.json({"error": f"{type(error).__name__}: {error}"}, status=500)
            return response.json(answer)

        return hook
