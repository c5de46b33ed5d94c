"""A local Zendesk Support API (the part the Zendesk backend uses), for tests.

Implements, as Zendesk documents them: HTTP Basic ``{email}/token:{api_token}`` (401
``{"error": "Couldn't authenticate you"}``), ``POST /api/v2/users/create_or_update``
(200 existing by ``external_id`` / 201 new), ``POST /api/v2/uploads?filename=`` (raw body →
201 ``{"upload": {"token", "attachment"}}``), ``POST /api/v2/tickets`` (201; 422
``{"error": "RecordInvalid", "description": "Record validation errors", "details": …}``),
``PUT /api/v2/tickets/{id}`` with a comment (404 ``RecordNotFound``), ``GET
/api/v2/tickets/{id}/comments``, erasure as Zendesk documents it for GDPR requests
(``DELETE /api/v2/tickets/{id}`` 204 soft-deletes into deleted tickets, ``DELETE
/api/v2/deleted_tickets/{id}`` 204 removes it for good; ``DELETE /api/v2/users/{id}`` 200
``{"user": {... "active": false}}`` soft-deletes, ``DELETE /api/v2/deleted_users/{id}`` 200
``{"deleted_user": …}`` removes it for good, and only after the soft delete; unknown ids
404 ``RecordNotFound``), and rate limiting (429 with ``Retry-After``; inject with
``fake.throttle(n)``). ``.json`` suffixes are accepted like Zendesk does.

``fake.agent_replies(ticket_id, text, webhook_url=…, secret=…)`` plays an agent answering
in Zendesk: the public comment is added and the signed webhook a trigger would send is
POSTed to the console.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from helpdesk.settings import get_settings
from tests.support.servers import serve_app

PRIORITIES = {"low", "normal", "high", "urgent"}


@dataclass
class ZendeskState:
    email: str
    token: str
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted_tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted_users: dict[int, dict[str, Any]] = field(default_factory=dict)
    throttled: int = 0
    retry_after: int = 1
    requests: list[tuple[str, str]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(1001))
    agent_id: int = 9001


def _invalid(details: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details},
        status_code=422,
    )


def create_app(state: ZendeskState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def auth_and_limits(request: Request, call_next: Any) -> Response:
        state.requests.append((request.method, request.url.path))
        expected = (
            "Basic " + base64.b64encode(f"{state.email}/token:{state.token}".encode()).decode()
        )
        if not hmac.compare_digest(request.headers.get("authorization", ""), expected):
            return JSONResponse({"error": "Couldn't authenticate you"}, status_code=401)
        if state.throttled > 0:
            state.throttled -= 1
            return PlainTextResponse(
                "Rate limit exceeded, please wait before trying again",
                status_code=429,
                headers={"Retry-After": str(state.retry_after)},
            )
        return await call_next(request)

    @app.post("/api/v2/users/create_or_update")
    @app.post("/api/v2/users/create_or_update.json")
    async def create_or_update(request: Request) -> Response:
        user = (await request.json()).get("user") or {}
        if not user.get("name"):
            return _invalid(
                {"name": [{"description": "Name: is too short", "error": "BlankValue"}]}
            )
        for existing in state.users.values():
            if user.get("external_id") and existing.get("external_id") == user["external_id"]:
                existing.update(user)
                return JSONResponse({"user": existing}, status_code=200)
        new = {"id": next(state.ids), "role": "end-user", **user}
        state.users[new["id"]] = new
        return JSONResponse({"user": new}, status_code=201)

    @app.post("/api/v2/uploads")
    @app.post("/api/v2/uploads.json")
    async def upload(request: Request) -> Response:
        filename = request.query_params.get("filename")
        if not filename:
            return JSONResponse(
                {"error": "InvalidValue", "description": "filename is required"}, status_code=400
            )
        data = await request.body()
        token = hashlib.sha1(data + filename.encode() + str(time.time()).encode()).hexdigest()[:24]
        attachment = {
            "id": next(state.ids),
            "file_name": filename,
            "content_type": request.headers.get("content-type", "application/binary"),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        state.uploads[token] = attachment
        return JSONResponse(
            {"upload": {"token": token, "attachment": attachment, "attachments": [attachment]}},
            status_code=201,
        )

    def _comment(ticket_id: int, comment: dict[str, Any], author: int) -> dict[str, Any]:
        item = {
            "id": next(state.ids),
            "body": comment.get("body") or comment.get("html_body") or "",
            "author_id": comment.get("author_id", author),
            "public": comment.get("public", True),
            "attachments": [
                state.uploads[t] for t in comment.get("uploads") or [] if t in state.uploads
            ],
        }
        state.comments.setdefault(ticket_id, []).append(item)
        return item

    @app.post("/api/v2/tickets")
    @app.post("/api/v2/tickets.json")
    async def create_ticket(request: Request) -> Response:
        try:
            ticket = (await request.json())["ticket"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error": "InvalidEndpoint", "description": "ticket parameter missing"},
                status_code=400,
            )
        comment = ticket.get("comment") or {}
        details: dict[str, Any] = {}
        if not (comment.get("body") or comment.get("html_body")):
            details["description"] = [
                {"description": "Description: cannot be blank", "error": "BlankValue"}
            ]
        if ticket.get("priority") and ticket["priority"] not in PRIORITIES:
            details["priority"] = [{"description": "Priority: is invalid", "error": "InvalidValue"}]
        if ticket.get("requester_id") and ticket["requester_id"] not in state.users:
            details["requester"] = [
                {"description": "Requester: is invalid", "error": "InvalidValue"}
            ]
        if details:
            return _invalid(details)
        ticket_id = next(state.ids)
        stored = {
            "id": ticket_id,
            "url": f"{request.base_url}api/v2/tickets/{ticket_id}.json",
            "subject": ticket.get("subject"),
            "status": "new",
            "priority": ticket.get("priority"),
            "requester_id": ticket.get("requester_id"),
            "tags": ticket.get("tags") or [],
            "external_id": ticket.get("external_id"),
        }
        state.tickets[ticket_id] = stored
        _comment(ticket_id, comment, state.agent_id)
        return JSONResponse(
            {"ticket": stored}, status_code=201, headers={"Location": stored["url"]}
        )

    @app.put("/api/v2/tickets/{ticket_id}")
    @app.put("/api/v2/tickets/{ticket_id}.json")
    async def update_ticket(ticket_id: int, request: Request) -> Response:
        if ticket_id not in state.tickets:
            return JSONResponse(
                {"error": "RecordNotFound", "description": "Not found"}, status_code=404
            )
        ticket = (await request.json()).get("ticket") or {}
        audit_events = []
        if "comment" in ticket:
            comment = ticket["comment"]
            if not (comment.get("body") or comment.get("html_body") or comment.get("uploads")):
                return _invalid(
                    {"comment": [{"description": "Comment: is blank", "error": "BlankValue"}]}
                )
            audit_events.append(_comment(ticket_id, comment, state.agent_id))
        if ticket.get("status"):
            state.tickets[ticket_id]["status"] = ticket["status"]
        return JSONResponse({"ticket": state.tickets[ticket_id], "audit": {"events": audit_events}})

    @app.get("/api/v2/tickets/{ticket_id}/comments")
    @app.get("/api/v2/tickets/{ticket_id}/comments.json")
    async def comments(ticket_id: int) -> Response:
        if ticket_id not in state.tickets:
            return JSONResponse(
                {"error": "RecordNotFound", "description": "Not found"}, status_code=404
            )
        return JSONResponse({"comments": state.comments.get(ticket_id, [])})

    def _not_found() -> JSONResponse:
        return JSONResponse({"error": "RecordNotFound", "description": "Not found"}, 404)

    @app.delete("/api/v2/tickets/{ticket_id}")
    @app.delete("/api/v2/tickets/{ticket_id}.json")
    async def delete_ticket(ticket_id: int) -> Response:
        if ticket_id not in state.tickets:
            return _not_found()
        state.deleted_tickets[ticket_id] = state.tickets.pop(ticket_id)
        return Response(status_code=204)

    @app.delete("/api/v2/deleted_tickets/{ticket_id}")
    @app.delete("/api/v2/deleted_tickets/{ticket_id}.json")
    async def destroy_ticket(ticket_id: int) -> Response:
        if ticket_id not in state.deleted_tickets:
            return _not_found()
        del state.deleted_tickets[ticket_id]
        state.comments.pop(ticket_id, None)
        return Response(status_code=204)

    @app.delete("/api/v2/users/{user_id}")
    @app.delete("/api/v2/users/{user_id}.json")
    async def delete_user(user_id: int) -> Response:
        if user_id not in state.users:
            return _not_found()
        user = {**state.users.pop(user_id), "active": False}
        state.deleted_users[user_id] = user
        return JSONResponse({"user": user})

    @app.delete("/api/v2/deleted_users/{user_id}")
    @app.delete("/api/v2/deleted_users/{user_id}.json")
    async def destroy_user(user_id: int) -> Response:
        if user_id not in state.deleted_users:
            return _not_found()  # Zendesk: soft-delete the user first
        del state.deleted_users[user_id]
        return JSONResponse(
            {"deleted_user": {"id": user_id, "name": "Permanently Deleted User", "active": False}}
        )

    app.state.zendesk = state
    return app


def agent_replies(
    state: ZendeskState,
    ticket_id: int,
    text: str | None,
    *,
    webhook_url: str,
    secret: str,
    status: str | None = None,
) -> httpx.Response:
    """An agent answers in Zendesk; the trigger's signed webhook goes to the console."""
    ticket = state.tickets[ticket_id]
    if text:
        state.comments.setdefault(ticket_id, []).append(
            {"id": next(state.ids), "body": text, "author_id": state.agent_id, "public": True}
        )
    if status:
        ticket["status"] = status
    body = json.dumps(
        {
            "ticket_id": str(ticket_id),
            "status": ticket["status"],
            "author_id": str(state.agent_id),
            "comment": text or "",
        }
    ).encode()
    timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return httpx.post(
        webhook_url,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        },
    )


@contextlib.contextmanager
def serving(
    monkeypatch: pytest.MonkeyPatch, *, api_token: str = "zd-token"
) -> Iterator[tuple[str, ZendeskState]]:
    """This fake Zendesk served locally and made the ticketing backend (``api_token`` is
    what the settings say; the fake accepts ``zd-token``)."""
    state = ZendeskState(email="bot@example.com", token="zd-token")
    with serve_app(create_app(state), path="/api/v2/tickets") as url:
        monkeypatch.setenv("HELPDESK_TICKETING", "zendesk")
        monkeypatch.setenv("ZENDESK_URL", url)
        monkeypatch.setenv("ZENDESK_EMAIL", "bot@example.com")
        monkeypatch.setenv("ZENDESK_API_TOKEN", api_token)
        get_settings.cache_clear()
        yield url, state
