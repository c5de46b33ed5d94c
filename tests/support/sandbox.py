"""The WhatsApp sandbox (Meta's Graph API look-alike) with a webhook receiver, for tests and
benchmarks::

    from tests.support.sandbox import running_sandbox

    with running_sandbox(access_token="tok", app_secret="s", phone_number_id=PHONE,
                         templates={"reopen_conversation"}) as (url, received):
        ...   # url: the sandbox; received: every webhook body it posted, in order

``on_webhook(body)`` is called with each body as it arrives (the bench stores them in its
inbox as the channel would); ``check_signature=True`` asserts each carries Meta's signature.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request

from helpdesk.sandbox.app import SandboxConfig, create_app
from helpdesk.whatsapp.signature import HEADER, sign
from tests.support.servers import free_port, serve_app


@contextlib.contextmanager
def running_sandbox(
    *,
    access_token: str,
    app_secret: str,
    phone_number_id: str,
    templates: Iterable[str] | None = None,
    template_parameters: dict[str, int] | None = None,
    status_delay: float = 0.01,
    on_webhook: Callable[[dict[str, Any]], None] | None = None,
    check_signature: bool = False,
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook(request: Request) -> dict:
        raw = await request.body()
        if check_signature:  # as the channel does: the sandbox signs like Meta
            assert request.headers[HEADER] == sign(app_secret, raw)
        body = json.loads(raw)
        received.append(body)
        if on_webhook is not None:
            on_webhook(body)
        return {}

    @receiver.get("/")
    async def health() -> dict:
        return {}

    with serve_app(receiver) as hook_url:
        extra: dict[str, Any] = {} if templates is None else {"templates": set(templates)}
        if template_parameters:
            extra["template_parameters"] = dict(template_parameters)
        config = SandboxConfig(
            access_token=access_token,
            app_secret=app_secret,
            phone_number_id=phone_number_id,
            webhook_url=hook_url + "/hook",
            status_delay=status_delay,
            **extra,
        )
        with serve_app(create_app(config), port=free_port(), path="/sandbox/health") as url:
            yield url, received
