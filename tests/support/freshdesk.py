"""A local Freshdesk API v2 (the part the Freshdesk backend uses), for tests.

Implements, as Freshdesk documents them: HTTP Basic ``{api_key}:X`` (401
``{"code": "invalid_credentials", "message": …}``), ``POST /api/v2/tickets`` as JSON or
multipart with ``attachments[]`` (201; 400 ``{"description": "Validation failed",
"errors": [{"field", "message", "code"}]}``), ``PUT /api/v2/tickets/{id}`` (status,
priority), ``POST /api/v2/tickets/{id}/notes`` (201;
404 for an unknown ticket), ``GET /api/v2/tickets/{id}/conversations``, erasure as
Freshdesk documents it (``DELETE /api/v2/tickets/{id}`` 204 moves the ticket to trash;
``DELETE /api/v2/contacts/{id}/hard_delete?force=true`` 204 removes the contact with every
ticket and conversation of theirs, and without ``force`` only a soft-deleted contact —
``DELETE /api/v2/contacts/{id}`` 204 —; unknown ids 404), and rate limiting (429 with
``Retry-After``; inject with ``state.throttled = n``).

``agent_replies(state, ticket_id, text, webhook_url=…, secret=…)`` plays an agent replying
in Freshdesk and the automation rule's webhook (with the shared-secret header).
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from helpdesk.settings import get_settings
from tests.support.servers import serve_app

MAX_ATTACHMENTS_BYTES = 20 * 1024 * 1024
STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}


@dataclass
class FreshdeskState:
    api_key: str
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    deleted_contacts: set[int] = field(default_factory=set)
    trash: dict[int, dict[str, Any]] = field(default_factory=dict)
    throttled: int = 0
    retry_after: int = 1
    ids: Any = field(default_factory=lambda: itertools.count(501))


def _failed(*errors: tuple[str, str, str]) -> JSONResponse:
    return JSONResponse(
        {
            "description": "Validation failed",
            "errors": [{"field": f, "message": m, "code": c} for f, m, c in errors],
        },
        status_code=400,
    )


async def _fields(request: Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """JSON or multipart (form values are strings, ``tags[]`` repeated) → fields, files."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        fields: dict[str, Any] = {}
        files = []
        for key, value in form.multi_items():
            if key == "attachments[]" and hasattr(value, "read"):
                data = await value.read()
                files.append(
                    {"name": value.filename, "content_type": value.content_type, "size": len(data)}
                )
            elif key.endswith("[]"):
                fields.setdefault(key[:-2], []).append(value)
            else:
                fields[key] = value
        return fields, files
    data = await request.json()
    return (data if isinstance(data, dict) else {}), []


def _integer(fields: dict[str, Any], name: str, allowed: range) -> tuple[str, str, str] | None:
    if name not in fields:
        return None
    try:
        value = int(fields[name])
    except (TypeError, ValueError):
        return (
            name,
            "It should be one of these values: " + ",".join(map(str, allowed)),
            "invalid_value",
        )
    if value not in allowed:
        return (
            name,
            "It should be one of these values: " + ",".join(map(str, allowed)),
            "invalid_value",
        )
    fields[name] = value
    return None


def create_app(state: FreshdeskState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def auth_and_limits(request: Request, call_next: Any) -> Response:
        header = request.headers.get("authorization", "")
        user = ""
        if header.startswith("Basic "):
            try:
                user = base64.b64decode(header[6:]).decode().partition(":")[0]
            except ValueError:
                user = ""
        if not hmac.compare_digest(user.encode(), state.api_key.encode()):
            return JSONResponse(
                {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                },
                status_code=401,
            )
        if state.throttled > 0:
            state.throttled -= 1
            return JSONResponse(
                {"message": "You have exceeded the limit of requests per minute"},
                status_code=429,
                headers={"Retry-After": str(state.retry_after)},
            )
        return await call_next(request)

    @app.post("/api/v2/tickets")
    async def create_ticket(request: Request) -> Response:
        fields, files = await _fields(request)
        errors = []
        requester_keys = (
            "email",
            "phone",
            "mobile",
            "twitter_id",
            "unique_external_id",
            "requester_id",
        )
        if not any(fields.get(k) for k in requester_keys):
            errors.append(
                (
                    "requester_id",
                    "Please fill at least 1 of email, mobile, phone, twitter_id, "
                    "unique_external_id, requester_id fields",
                    "missing_field",
                )
            )
        if fields.get("phone") and not fields.get("email") and not fields.get("name"):
            errors.append(("name", "It should be a/an String", "missing_field"))
        for name in ("subject", "description"):
            if not fields.get(name):
                errors.append((name, "It should be a/an String", "missing_field"))
        for problem in (
            _integer(fields, "status", range(2, 6)),
            _integer(fields, "priority", range(1, 5)),
            _integer(fields, "source", range(1, 11)),
        ):
            if problem:
                errors.append(problem)
        if sum(f["size"] for f in files) > MAX_ATTACHMENTS_BYTES:
            errors.append(("attachments", "It should not exceed 20MB", "invalid_size"))
        if errors:
            return _failed(*errors)
        key = fields.get("phone") or fields.get("email") or str(fields.get("requester_id"))
        requester = state.contacts.setdefault(key, next(state.ids))
        ticket_id = next(state.ids)
        ticket = {
            "id": ticket_id,
            "subject": fields["subject"],
            "description": fields["description"],
            "status": fields.get("status", 2),
            "priority": fields.get("priority", 1),
            "source": fields.get("source", 2),
            "requester_id": requester,
            "tags": fields.get("tags") or [],
            "attachments": [{"id": next(state.ids), **f} for f in files],
        }
        state.tickets[ticket_id] = ticket
        state.conversations[ticket_id] = []
        return JSONResponse(ticket, status_code=201)

    @app.post("/api/v2/tickets/{ticket_id}/notes")
    async def add_note(ticket_id: int, request: Request) -> Response:
        if ticket_id not in state.tickets:
            return Response(status_code=404)
        fields, files = await _fields(request)
        if not fields.get("body"):
            return _failed(("body", "It should be a/an String", "missing_field"))
        note = {
            "id": next(state.ids),
            "body": fields["body"],
            "private": str(fields.get("private", True)).lower() == "true",
            "incoming": str(fields.get("incoming", False)).lower() == "true",
            "user_id": int(fields["user_id"]) if fields.get("user_id") else None,
            "ticket_id": ticket_id,
            "attachments": files,
        }
        state.conversations[ticket_id].append(note)
        return JSONResponse(note, status_code=201)

    @app.put("/api/v2/tickets/{ticket_id}")
    async def update_ticket(ticket_id: int, request: Request) -> Response:
        if ticket_id not in state.tickets:
            return Response(status_code=404)
        fields, _ = await _fields(request)
        for problem in (
            _integer(fields, "status", range(2, 6)),
            _integer(fields, "priority", range(1, 5)),
        ):
            if problem:
                return _failed(problem)
        state.tickets[ticket_id].update(fields)
        return JSONResponse(state.tickets[ticket_id], status_code=200)

    @app.get("/api/v2/tickets/{ticket_id}/conversations")
    async def conversations(ticket_id: int) -> Response:
        if ticket_id not in state.tickets:
            return Response(status_code=404)
        return JSONResponse(state.conversations[ticket_id])

    @app.delete("/api/v2/tickets/{ticket_id}")
    async def delete_ticket(ticket_id: int) -> Response:
        if ticket_id not in state.tickets:
            return Response(status_code=404)
        state.trash[ticket_id] = state.tickets.pop(ticket_id)
        return Response(status_code=204)

    @app.delete("/api/v2/contacts/{contact_id}")
    async def delete_contact(contact_id: int) -> Response:
        if contact_id not in state.contacts.values() or contact_id in state.deleted_contacts:
            return Response(status_code=404)
        state.deleted_contacts.add(contact_id)
        return Response(status_code=204)

    @app.delete("/api/v2/contacts/{contact_id}/hard_delete")
    async def hard_delete_contact(contact_id: int, request: Request) -> Response:
        if contact_id not in state.contacts.values():
            return Response(status_code=404)
        force = request.query_params.get("force", "false").lower() == "true"
        if not force and contact_id not in state.deleted_contacts:
            return _failed(
                (
                    "contact",
                    "The contact should be soft deleted before hard delete",
                    "invalid_value",
                )
            )
        for tickets in (state.tickets, state.trash):
            for ticket_id in [t for t, v in tickets.items() if v["requester_id"] == contact_id]:
                del tickets[ticket_id]
                state.conversations.pop(ticket_id, None)
        for key in [k for k, v in state.contacts.items() if v == contact_id]:
            del state.contacts[key]
        state.deleted_contacts.discard(contact_id)
        return Response(status_code=204)

    app.state.freshdesk = state
    return app


def agent_replies(
    state: FreshdeskState,
    ticket_id: int,
    text: str | None,
    *,
    webhook_url: str,
    secret: str,
    status: int | None = None,
) -> httpx.Response:
    """An agent replies in Freshdesk; the automation's webhook goes to the console."""
    ticket = state.tickets[ticket_id]
    if text:
        state.conversations[ticket_id].append(
            {
                "id": next(state.ids),
                "body": f"<div>{text}</div>",
                "private": False,
                "incoming": False,
            }
        )
    if status:
        ticket["status"] = status
    body = {
        "freshdesk_webhook": {
            "ticket_id": ticket_id,
            "status": STATUS_NAMES[ticket["status"]],
            "comment": f"<div>{text}</div>" if text else "",
        }
    }
    return httpx.post(
        webhook_url,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Helpdesk-Webhook-Secret": secret},
    )


@contextlib.contextmanager
def serving(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, FreshdeskState]]:
    """This fake Freshdesk served locally and made the ticketing backend."""
    state = FreshdeskState(api_key="fd-key")
    with serve_app(create_app(state), path="/api/v2/tickets") as url:
        monkeypatch.setenv("HELPDESK_TICKETING", "freshdesk")
        monkeypatch.setenv("FRESHDESK_URL", url)
        monkeypatch.setenv("FRESHDESK_API_KEY", "fd-key")
        get_settings.cache_clear()
        yield url, state
