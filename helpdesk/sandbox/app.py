"""The sandbox application (FastAPI): ``create_app()``; ``helpdesk sandbox`` serves it."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from helpdesk.errors import ConfigurationError
from helpdesk.sandbox import customer_api, graph_api
from helpdesk.sandbox.notifier import Notifier
from helpdesk.sandbox.state import SandboxState
from helpdesk.settings import get_settings
from helpdesk.whatsapp.templates import approved_names, catalogue


@dataclass
class SandboxConfig:
    access_token: str
    app_secret: str
    phone_number_id: str
    webhook_url: str
    # Approved templates: Meta's sample plus the one the bot sends outside the window.
    templates: set[str] = field(default_factory=lambda: {"hello_world"})
    # How many body variables ({{1}}…) each approved template has; a template not listed
    # is checked only for the shape of what it is sent.
    template_parameters: dict[str, int] = field(default_factory=dict)
    media_url_ttl: int = 300
    status_delay: float = 0.2
    # Beyond this many messages per second Meta answers 130429 (rate limit hit).
    messages_per_second: float = 80.0
    # Retries of a webhook the bot did not acknowledge (notifier.RetryPolicy).
    retry_window: float = 3600.0
    retry_max_delay: float = 15.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> SandboxConfig:
        s = get_settings()
        if not (s.whatsapp_access_token and s.whatsapp_app_secret):
            raise ConfigurationError(
                "The sandbox needs WHATSAPP_ACCESS_TOKEN and WHATSAPP_APP_SECRET",
                hint="Run it through `helpdesk sandbox`, which generates local ones.",
            )
        # Meta's sample and every template the product may send (helpdesk.whatsapp.templates).
        templates = {"hello_world", *approved_names()}
        values: dict[str, Any] = {
            "access_token": s.whatsapp_access_token,
            "app_secret": s.whatsapp_app_secret,
            "phone_number_id": s.whatsapp_phone_number_id,
            "webhook_url": s.sandbox_webhook_url,
            "templates": templates,
            "template_parameters": {t.name: len(t.parameters) for t in catalogue()},
            "messages_per_second": s.whatsapp_messages_per_second,
            "retry_window": s.sandbox_retry_window,
            "retry_max_delay": s.sandbox_retry_max_delay,
        }
        values.update(overrides)
        return cls(**values)


def create_app(config: SandboxConfig | None = None) -> FastAPI:
    config = config or SandboxConfig.from_settings()
    state = SandboxState(config.messages_per_second)
    notifier = Notifier(config, state)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        await notifier.aclose()

    app = FastAPI(title="WhatsApp sandbox", lifespan=lifespan, docs_url="/sandbox/docs")
    app.state.config = config
    app.state.sandbox = state
    app.state.notifier = notifier
    # The customer routes first: /sandbox/customers would otherwise match /{version}/{id}.
    app.include_router(customer_api.router)
    app.include_router(graph_api.router)
    return app
