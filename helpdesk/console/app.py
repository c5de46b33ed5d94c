"""The agent console (FastAPI): ``create_app()``; ``helpdesk console`` serves it on :8000.

Routes: the web pages (``pages``), the JSON API under ``/api/`` (``api``), its OpenAPI
document and Swagger UI for admins (``docs``: ``/openapi.json``, ``/docs``), the Zendesk and
Freshdesk webhooks (``webhooks``), ``/metrics`` for Prometheus, ``/static``. Every route
but ``/login``, ``/api/login`` and ``/static`` refuses a request without credentials: pages
redirect to the sign-in page, the API answers 401 JSON, webhooks 401 without a valid
signature, ``/metrics`` 401 without a bearer token (``HELPDESK_METRICS_TOKEN`` or an API
token).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from helpdesk.console import (
    agents_page,
    api,
    audit_page,
    dashboard,
    docs,
    media_page,
    metrics,
    pages,
    webhooks,
    window_routes,
)
from helpdesk.console.answers import error_code, http_status
from helpdesk.console.schemas import ApiRequest
from helpdesk.console.security import login_redirect
from helpdesk.console.templating import STATIC_DIR
from helpdesk.errors import (
    ConfigurationError,
    Forbidden,
    NotSignedIn,
    TicketingError,
    Unauthorized,
)
from helpdesk.settings import get_settings
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.outbound import Sender

logger = logging.getLogger(__name__)


@dataclass
class ConsoleConfig:
    session_secret: str
    database_url: str | None = None
    https_only: bool = False
    session_hours: int = 12
    zendesk_webhook_secret: str | None = None
    freshdesk_webhook_secret: str | None = None
    metrics_token: str | None = None
    graph_overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, **overrides: Any) -> ConsoleConfig:
        s = get_settings()
        if not s.session_secret:
            raise ConfigurationError(
                "The console needs HELPDESK_SESSION_SECRET",
                hint="Run it through `helpdesk console`, which generates a local one.",
            )
        values: dict[str, Any] = {
            "session_secret": s.session_secret,
            "database_url": s.database_url,
            "zendesk_webhook_secret": s.zendesk_webhook_secret,
            "freshdesk_webhook_secret": s.freshdesk_webhook_secret,
            "metrics_token": s.metrics_token,
            "https_only": s.secure_cookies,
        }
        values.update(overrides)
        return cls(**values)


def create_app(config: ConsoleConfig | None = None) -> FastAPI:
    config = config or ConsoleConfig.from_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        # httpx clients belong to the loop that uses them: made here, closed here.
        client = GraphClient.from_settings(**config.graph_overrides)
        app.state.sender = Sender(
            client,
            url=config.database_url,
            window_template=get_settings().whatsapp_window_template,
        )
        yield
        await client.aclose()

    app = FastAPI(
        title="Visual Helpdesk console",
        description="The agent console's JSON API: sign in with `POST /api/login`, then send "
        "`Authorization: Bearer <token>`. Admins read this at `/docs`.",
        lifespan=lifespan,
        # Served by ``docs`` to admins only, not by FastAPI to everyone.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # The Swagger UI we ship (swagger-ui-bundle 1.1: Swagger UI 4.15) reads OpenAPI 3.0, and
    # the document uses nothing of 3.1 (pydantic v1 writes no type lists or ``null`` types).
    app.openapi_version = "3.0.3"
    app.state.config = config
    app.state.database_url = config.database_url
    app.state.metrics = metrics.ConsoleMetrics(config.database_url)
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.session_secret,
        session_cookie="helpdesk_session",
        max_age=config.session_hours * 3600,
        same_site="strict",
        https_only=config.https_only,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        # Pages use only their own scripts, styles and media: no inline code can run, and
        # no other site may frame the console (clickjacking).
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
            "form-action 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(NotSignedIn)
    async def _signin(_request: Request, error: NotSignedIn) -> RedirectResponse:
        return RedirectResponse(login_redirect(error.next_url), status_code=303)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_request: Request, _error: Unauthorized) -> JSONResponse:
        return JSONResponse(
            {"error": "unauthorized", "message": "Sign in with POST /api/login first."},
            status_code=http_status(_error),
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(_request: Request, error: Forbidden) -> JSONResponse:
        return JSONResponse(
            {"error": "forbidden", "message": str(error.args[0]), "hint": error.hint},
            status_code=http_status(error),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Any:
        body = [e for e in error.errors() if e.get("loc", ("",))[0] == "body"]
        if not body or not request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, error)
        # The API answered a body it could not use with 400 and what to send before it had
        # models: kept, with FastAPI's field errors added.
        return JSONResponse(
            {
                "error": "invalid_request",
                "message": _usage(request),
                "detail": jsonable_encoder(body),
            },
            status_code=400,
        )

    @app.exception_handler(TicketingError)
    async def _ticketing(_request: Request, error: TicketingError) -> JSONResponse:
        return JSONResponse(
            {"error": error_code(error), "message": str(error.args[0]), "hint": error.hint},
            status_code=http_status(error),
        )

    app.mount(docs.SWAGGER_PATH, StaticFiles(directory=docs.swagger_ui_dir()), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(window_routes.router)
    app.include_router(audit_page.router)
    app.include_router(docs.router)
    app.include_router(webhooks.router)
    app.include_router(metrics.router)
    app.include_router(dashboard.router)
    app.include_router(agents_page.router)
    app.include_router(media_page.router)
    app.include_router(pages.router)
    return app


def _usage(request: Request) -> str:
    """What to send, from the route's request model (``ApiRequest.usage``)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(field, "type_", None)
    if isinstance(model, type) and issubclass(model, ApiRequest):
        return model.usage
    return ApiRequest.usage
