"""The JSON API under ``/api/`` (bearer tokens from ``POST /api/login``).

POST /api/login                 {"username","password"} → 200 {"token","expires_in"}
                                401 wrong credentials · 429 locked out (Retry-After)
GET  /api/tickets               ?status=&queue=&priority=&assignee= → {"tickets": [...]}
GET  /api/tickets/{id}          the ticket, transcript, media with analysis, notes
POST /api/tickets/{id}/replies  {"text"} → 201 {"id","delivery"}; delivery is sent or
                                failed; 409 window_closed once the customer's 24-hour
                                window has closed (send a template instead)
POST /api/tickets/{id}/close    {"resolved": true} (optional) → the ticket
POST /api/tickets/{id}/notes    {"text"} → 201 {"id"}
POST /api/tickets/{id}/assign   {"agent": "name" | null} → the ticket
POST /api/tickets/{id}/hand_back → the ticket
GET  /api/me                    who the token belongs to
GET  /api/tickets/{id}/window   the 24-hour window and the approved templates (window_routes)
POST /api/tickets/{id}/templates {"name"} → 201 {"id","delivery"}: an approved template

Bodies and answers are the models in ``schemas`` (documented at ``/docs`` for admins). A
body that does not validate gets 400 ``invalid_request`` with what to send and the field
errors; an unknown ticket 404, an action that does not fit its status 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from helpdesk import audit
from helpdesk.console import service
from helpdesk.console.agents import authenticate, issue_token
from helpdesk.console.answers import http_status, model_json, tickets_json
from helpdesk.console.schemas import (
    AgentSummary,
    AssignRequest,
    ClosedTicket,
    CloseRequest,
    ErrorAnswer,
    LoginAnswer,
    LoginRequest,
    NoteAnswer,
    NoteRequest,
    ReplyAnswer,
    ReplyRequest,
    TicketDetail,
    TicketList,
    TicketSummary,
)
from helpdesk.console.security import ApiWho, DbSession, client_ip
from helpdesk.db.models.status import TicketStatus
from helpdesk.errors import AuthError, LockedOut
from helpdesk.settings import get_settings
from helpdesk.tickets.core import PRIORITIES

# ``active`` is not a status: the filter for every case a person holds (``ACTIVE``).
ACTIVE_FILTER = "active"
STATUSES = (ACTIVE_FILTER, *(status.value for status in TicketStatus))

_ERROR = {"model": ErrorAnswer}
router = APIRouter(
    prefix="/api",
    tags=["JSON API"],
    responses={
        400: {**_ERROR, "description": "The request does not fit: `message` says what to send"},
        401: {**_ERROR, "description": "No valid bearer token: sign in with POST /api/login"},
    },
)
_TICKET = {404: {**_ERROR, "description": "No such ticket"}}
_ACTION = {**_TICKET, 409: {**_ERROR, "description": "The ticket's status does not allow it"}}


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": message}, status_code=status)


@router.post(
    "/login",
    response_model=LoginAnswer,
    responses={429: {**_ERROR, "description": "Locked out after repeated failures"}},
)
def login(body: LoginRequest, request: Request, session: DbSession) -> Any:
    """Exchange a username and password for a bearer token."""
    metrics = request.app.state.metrics
    try:
        agent = authenticate(
            session, username=body.username, password=body.password, ip=client_ip(request)
        )
    except LockedOut as error:
        metrics.logins.labels(outcome="locked").inc()
        return JSONResponse(
            {"error": "locked_out", "message": "Too many failed sign-ins; try again later."},
            status_code=http_status(error),
            headers={"Retry-After": str(get_settings().login_lockout_seconds)},
        )
    except AuthError as error:
        session.commit()  # keep the failed attempt: it counts towards the lockout
        metrics.logins.labels(outcome="failed").inc()
        return JSONResponse(
            {"error": "invalid_credentials", "message": "Wrong username or password."},
            status_code=http_status(error),
        )
    metrics.logins.labels(outcome="ok").inc()
    return LoginAnswer(
        token=issue_token(session, agent_id=agent.id),
        expires_in=get_settings().api_token_hours * 3600,
    )


@router.get("/me", response_model=AgentSummary)
async def me(who: ApiWho) -> Any:
    """Who the token belongs to."""
    return AgentSummary.construct(id=who.id, username=who.username, role=who.role)


def filters_from(params: Any, session: Any) -> dict[str, Any] | str:
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
        found = service.agent_id_named(session, username=assignee)
        result["assignee_id"] = found if found is not None else -1
    return result


@router.get("/tickets", response_model=TicketList)
def tickets(
    request: Request,
    who: ApiWho,
    session: DbSession,
    status: str | None = Query(None, description=f"One of {', '.join(STATUSES)}."),
    queue: str | None = Query(None),
    priority: str | None = Query(None, description=f"One of {', '.join(PRIORITIES)}."),
    assignee: str | None = Query(None, description="An agent's username."),
) -> Any:
    """The queue, newest first."""
    filters = filters_from(request.query_params, session)
    if isinstance(filters, str):
        return _bad(filters)
    return tickets_json(service.list_tickets(session, filters=filters))


@router.get("/tickets/{ticket_id}", response_model=TicketDetail, responses=_TICKET)
def ticket(ticket_id: int, who: ApiWho, session: DbSession) -> Any:
    """The ticket with its transcript, media and their analysis, and private notes."""
    found = service.ticket_detail(session, ticket_id=ticket_id)
    if found is None:
        return JSONResponse({"error": "not_found", "message": "No such ticket."}, status_code=404)
    audit.ticket_viewed(
        session, actor=who.username, actor_id=who.id, ticket_id=ticket_id, sender_id=found.customer
    )
    return model_json(found)


@router.post(
    "/tickets/{ticket_id}/replies",
    status_code=201,
    response_model=ReplyAnswer,
    responses=_ACTION,
)
async def replies(ticket_id: int, body: ReplyRequest, request: Request, who: ApiWho) -> Any:
    """Send a reply to the customer on WhatsApp. Once their 24-hour window has closed
    WhatsApp would not deliver it: 409 ``window_closed`` (send an approved template with
    ``POST /api/tickets/{id}/templates``)."""
    answer = await service.reply(
        request.app.state, ticket_id=ticket_id, agent_id=who.id, text=body.text, origin="api"
    )
    return model_json(answer, status_code=201)


@router.post(
    "/tickets/{ticket_id}/close",
    response_model=ClosedTicket,
    response_model_exclude_unset=True,
    responses=_TICKET,
)
async def close(
    ticket_id: int, request: Request, who: ApiWho, body: CloseRequest | None = None
) -> Any:
    """Close the case (resolved unless the body says ``"resolved": false``); the bot takes
    the chat back and asks for a score."""
    resolved = body is None or body.resolved is not False
    closed = await service.close(
        request.app.state, ticket_id=ticket_id, agent_id=who.id, resolved=resolved
    )
    return model_json(closed, exclude_unset=True)  # bot_resumed only when the bot was asked


@router.post(
    "/tickets/{ticket_id}/notes", status_code=201, response_model=NoteAnswer, responses=_TICKET
)
def notes(ticket_id: int, body: NoteRequest, who: ApiWho, session: DbSession) -> Any:
    """Add a private note (never sent to the customer)."""
    answer = service.note(session, ticket_id=ticket_id, agent_id=who.id, text=body.text)
    return model_json(answer, status_code=201)


@router.post("/tickets/{ticket_id}/assign", response_model=TicketSummary, responses=_TICKET)
def assign(ticket_id: int, body: AssignRequest, who: ApiWho, session: DbSession) -> Any:
    """Assign the ticket to an agent, or to nobody."""
    assignee = None
    if body.agent is not None:
        assignee = service.agent_id_named(session, username=body.agent)
        if assignee is None:
            return _bad(f"no agent named {body.agent!r}")
    return model_json(service.assign(session, ticket_id=ticket_id, assignee_id=assignee, by=who.id))


@router.post("/tickets/{ticket_id}/hand_back", response_model=ClosedTicket, responses=_ACTION)
async def hand_back(ticket_id: int, request: Request, who: ApiWho) -> Any:
    """Give the conversation back to the bot without closing the case."""
    return model_json(
        await service.hand_back(request.app.state, ticket_id=ticket_id, agent_id=who.id)
    )
