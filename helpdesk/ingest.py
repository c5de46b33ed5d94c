"""The WhatsApp webhook on its own small process: acknowledge fast however busy Rasa is.

Inside a Rasa server the webhook shares one event loop with the dialogue turns, whose NLU
and policies run on that loop: with Rasa saturated an acknowledgement waited for the turn
in progress (p99 348–414 ms measured, Meta's target is a median of 250 ms). This process
does only what the acknowledgement needs — Meta's handshake, the signature check, parsing,
the durable inbox write (``WhatsAppService.receive``) — and announces new rows on Redis
(``helpdesk.whatsapp.wakeup``); the Rasa replicas' inbox workers run the turns.

With the inbox worker in a process of its own (``HELPDESK_INBOX_WORKER=process``) this
process does not react to failed statuses either (a resend, a note to the agent, each with
its database work and Graph calls): it hands them to the worker through Redis
(``wakeup.hand_over_failures``). Every answer carries a ``Server-Timing`` header with what
the acknowledgement spent here (``app``) and in the store (``queue`` until its thread ran,
``store``, ``resume``); the throughput benchmark reads it.

The production topology runs it (``helpdesk ingest``) and nginx sends
``/webhooks/whatsapp/`` to it, with the Rasa replicas (which still mount the same webhook)
as backup servers. Under ``make run`` Rasa keeps serving the webhook itself on :5005.
"""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from helpdesk.settings import InboxWorkerHost, get_settings
from helpdesk.tickets.delivery import ticket_notifier
from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService
from helpdesk.whatsapp.states import FailureHandling

PREFIX = "/webhooks/whatsapp"


def create_app(config: ChannelConfig | None = None) -> Starlette:
    """The webhook routes of the Rasa channel, same paths and answers, and no worker."""
    config = config or ChannelConfig.from_settings()
    # With the worker in a process of its own, it reacts to failed statuses (resends,
    # notes to agents): this process only acknowledges.
    elsewhere = get_settings().inbox_worker is InboxWorkerHost.PROCESS
    service = WhatsAppService(
        config,
        on_stop=ticket_notifier(config.database_url),
        failures=FailureHandling.HAND_OVER if elsewhere else FailureHandling.HERE,
    )

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def verify(request: Request) -> Response:
        status, text = service.handshake(dict(request.query_params))
        return PlainTextResponse(text, status_code=status)

    async def receive(request: Request) -> Response:
        started = time.perf_counter()
        raw = await request.body()
        ack = await service.receive(raw, request.headers.get("x-hub-signature-256"))
        # What the acknowledgement waited for, in this process (the benchmark reads it).
        spent = {"app": round((time.perf_counter() - started) * 1000, 2), **ack.timings}
        timing = ", ".join(f"{name};dur={ms}" for name, ms in spent.items())
        return PlainTextResponse(
            ack.text, status_code=ack.status, headers={"Server-Timing": timing}
        )

    async def shutdown() -> None:
        await service.stop()

    app = Starlette(
        routes=[
            Route(f"{PREFIX}/", health, methods=["GET"]),
            Route(f"{PREFIX}/webhook", verify, methods=["GET"]),
            Route(f"{PREFIX}/webhook", receive, methods=["POST"]),
        ],
        on_shutdown=[shutdown],
    )
    app.state.service = service
    return app
