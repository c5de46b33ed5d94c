"""The JSON API under ``/api/`` (bearer tokens from ``POST /api/login``).

POST /api/login                 {"username","password"} → 200 {"token","expires_in"}
                                401 wrong credentials · 429 locked out (Retry-After)
GET  /api/tickets               ?status=&queue=&priority=&assignee= → {"tickets": [...]}
GET  /api/tickets/{id}          the ticket, transcript, media with analysis, notes
POST /api/tickets/{id}/replies  {"text"} → 201 {"id","delivery"}; delivery is sent,
                                template (window closed), not_sent or failed
POST /api/tickets/{id}/close    {"resolved": true} (optional) → the ticket
POST /api/tickets/{id}/notes    {"text"} → 201 {"id"}
POST /api/tickets/{id}/assign   {"agent": "name" | null} → the ticket
POST /api/tickets/{id}/hand_back → the ticket
GET  /api/me                    who the token belongs to
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from helpdesk.console import service
from helpdesk.console.agents import authenticate, issue_token
from helpdesk.console.answers import http_status
from helpdesk.console.security import ApiWho, client_ip
from helpdesk.db import session_scope
from helpdesk.errors import AuthError, LockedOut
from helpdesk.settings import get_settings
from helpdesk.tickets.core import PRIORITIES
from helpdesk.tickets.status import TicketStatus

router = APIRouter(prefix="/api")
# ``active`` is not a status: the filter for every case a person holds (``ACTIVE``).
ACTIVE_FILTER = "active"
STATUSES = (ACTIVE_FILTER, *(status.value for status in TicketStatus))


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": message}, status_code=status)


async def _json(request: Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@router.post("/login")
async def login(request: Request) -> JSONResponse:
    data = await _json(request)
    if (
        not data
        or not isinstance(data.get("username"), str)
        or not isinstance(data.get("password"), str)
    ):
        return _bad('send {"username": "...", "password": "..."}')
    url, ip = request.app.state.database_url, client_ip(request)

    def run() -> str:
        with session_scope(url) as session:
            try:
                agent = authenticate(
                    session, username=data["username"], password=data["password"], ip=ip
                )
            except AuthError:
                session.commit()  # keep the failed attempt
                raise
            return issue_token(session, agent_id=agent.id)

    metrics = request.app.state.metrics
    try:
        token = await asyncio.to_thread(run)
    except LockedOut as error:
        metrics.logins.labels(outcome="locked").inc()
        seconds = get_settings().login_lockout_seconds
        return JSONResponse(
            {"error": "locked_out", "message": "Too many failed sign-ins; try again later."},
            status_code=http_status(error),
            headers={"Retry-After": str(seconds)},
        )
    except AuthError as error:
        metrics.logins.labels(outcome="failed").inc()
        return JSONResponse(
            {"error": "invalid_credentials", "message": "Wrong username or password."},
            status_code=http_status(error),
        )
    metrics.logins.labels(outcome="ok").inc()
    return JSONResponse({"token": token, "expires_in": get_settings().api_token_hours * 3600})


@router.get("/me")
async def me(who: ApiWho) -> dict[str, Any]:
    return {"id": who.id, "username": who.username, "role": who.role}


def filters_from(params: Any, agents: list[dict[str, Any]]) -> dict[str, Any] | str:
    """Query parameters → ``core.list_tickets`` filters, or the error message."""
    result: dict[str, Any] = {}
    status = params.get("status") or None
    if status and status not in STATUSES:
        return f"status must be one of {', '.join(STATUSES)}"
    priority = params.get("priority") or None
    if priority and priority not in PRIORITIES:
        return f"priority must be one of {', '.join(PRIORITIES)}"
    result.update(status=status, priority=priority, queue=params.get("queue") or None)
    assignee = params.get("assignee") or None
    if assignee:
        ids = [a["id"] for a in agents if a["username"] == assignee]
        result["assignee_id"] = ids[0] if ids else -1
    return result


@router.get("/tickets")
async def tickets(request: Request, who: ApiWho) -> JSONResponse:
    url = request.app.state.database_url
    agents = await asyncio.to_thread(service.agents, url)
    filters = filters_from(request.query_params, agents)
    if isinstance(filters, str):
        return _bad(filters)
    found = await asyncio.to_thread(service.list_tickets, url, filters)
    return JSONResponse({"tickets": found})


@router.get("/tickets/{ticket_id}")
async def ticket(ticket_id: int, request: Request, who: ApiWho) -> JSONResponse:
    found = await asyncio.to_thread(
        service.ticket_detail, request.app.state.database_url, ticket_id
    )
    if found is None:
        return JSONResponse({"error": "not_found", "message": "No such ticket."}, status_code=404)
    return JSONResponse(found)


@router.post("/tickets/{ticket_id}/replies")
async def replies(ticket_id: int, request: Request, who: ApiWho) -> JSONResponse:
    data = await _json(request)
    if not data or not isinstance(data.get("text"), str) or not data["text"].strip():
        return _bad('send {"text": "..."} with the reply')
    result = await service.reply(
        request.app.state, ticket_id=ticket_id, agent_id=who.id, text=data["text"], origin="api"
    )
    return JSONResponse(result, status_code=201)


@router.post("/tickets/{ticket_id}/close")
async def close(ticket_id: int, request: Request, who: ApiWho) -> JSONResponse:
    data = await _json(request) or {}
    resolved = data.get("resolved", True) is not False
    result = await service.close(
        request.app.state, ticket_id=ticket_id, agent_id=who.id, resolved=resolved
    )
    return JSONResponse(result)


@router.post("/tickets/{ticket_id}/notes")
async def notes(ticket_id: int, request: Request, who: ApiWho) -> JSONResponse:
    data = await _json(request)
    if not data or not isinstance(data.get("text"), str):
        return _bad('send {"text": "..."} with the note')
    result = await service.note(
        request.app.state, ticket_id=ticket_id, agent_id=who.id, text=data["text"]
    )
    return JSONResponse(result, status_code=201)


@router.post("/tickets/{ticket_id}/assign")
async def assign(ticket_id: int, request: Request, who: ApiWho) -> JSONResponse:
    data = await _json(request)
    if data is None or "agent" not in data:
        return _bad('send {"agent": "username"} or {"agent": null}')
    agents = await asyncio.to_thread(service.agents, request.app.state.database_url)
    assignee = None
    if data["agent"] is not None:
        ids = [a["id"] for a in agents if a["username"] == data["agent"]]
        if not ids:
            return _bad(f"no agent named {data['agent']!r}")
        assignee = ids[0]
    result = await service.assign(
        request.app.state, ticket_id=ticket_id, assignee_id=assignee, by=who.id
    )
    return JSONResponse(result)


@router.post("/tickets/{ticket_id}/hand_back")
async def hand_back(ticket_id: int, request: Request, who: ApiWho) -> JSONResponse:
    result = await service.hand_back(request.app.state, ticket_id=ticket_id, agent_id=who.id)
    return JSONResponse(result)
