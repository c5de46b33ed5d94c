"""The web pages: sign-in, the queue (filters, refreshed by polling ``/queue.json``) and a
ticket (transcript, media inline, analysis, reply with canned responses, notes, assign,
close, hand back). The agents list is ``agents_page``, the audited media route
``media_page``, the window's template form ``window_routes``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from helpdesk import audit
from helpdesk.console import service
from helpdesk.console.agents import authenticate
from helpdesk.console.answers import http_status, tickets_json
from helpdesk.console.api import ACTIVE_FILTER, filters_from
from helpdesk.console.forms import action, csrf_refused, posted, render
from helpdesk.console.schemas import TicketList
from helpdesk.console.security import (
    DbSession,
    PageWho,
    check_csrf,
    client_ip,
    csrf_token,
    fingerprint,
    safe_next,
)
from helpdesk.console.window import offered, ticket_values, window_of
from helpdesk.db.models.status import TicketStatus
from helpdesk.errors import AuthError, HelpdeskError, LockedOut
from helpdesk.tickets.handoff import push_new_ticket

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)  # pages, not API: kept out of /openapi.json

# The queue's status filter: ``active`` (every case a person holds), each status, or all.
STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    (ACTIVE_FILTER, "Active (waiting or with agent)"),
    (TicketStatus.WAITING_FOR_AGENT, "Waiting for agent"),
    (TicketStatus.WITH_AGENT, "With agent"),
    (TicketStatus.OPEN, "Open (bot)"),
    (TicketStatus.RESOLVED, "Resolved"),
    (TicketStatus.CLOSED, "Closed"),
    ("", "All"),
)


# --- sign-in ---------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None, next=safe_next(request.query_params.get("next")))


def _sign_in(session: Session, *, username: str, password: str, ip: str) -> tuple[int, str, str]:
    try:
        agent = authenticate(session, username=username, password=password, ip=ip)
    except AuthError:
        session.commit()  # keep the failed attempt: it counts towards the lockout
        raise
    return agent.id, agent.username, fingerprint(agent.password_hash)


def _login_refused(request: Request, next_url: str, status: int, error: str) -> Response:
    """The sign-in page again, saying why the sign-in was refused."""
    return render(request, "login.html", None, status, next=next_url, error=error)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    next_url = safe_next(str(form.get("next") or "/"))
    if not check_csrf(request, form.get("csrf")):
        return _login_refused(request, next_url, 403, "The sign-in form expired; please try again.")
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    ip = client_ip(request)
    metrics = request.app.state.metrics
    try:
        agent_id, name, stamp = await asyncio.to_thread(
            service.in_session,
            request.app.state.database_url,
            _sign_in,
            username=username,
            password=password,
            ip=ip,
        )
    except LockedOut as error:
        metrics.logins.labels(outcome="locked").inc()
        message = "Too many failed sign-ins. Wait a while and try again."
        return _login_refused(request, next_url, http_status(error), message)
    except AuthError as error:
        metrics.logins.labels(outcome="failed").inc()
        return _login_refused(request, next_url, http_status(error), "Wrong username or password.")
    metrics.logins.labels(outcome="ok").inc()
    request.session.clear()  # a new session: no fixation
    request.session["agent_id"] = agent_id
    request.session["pw"] = stamp
    csrf_token(request)
    logger.info("agent %s signed in from %s", name, ip)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
async def logout(request: Request, who: PageWho) -> Response:
    if await posted(request) is None:
        return csrf_refused()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --- queue -----------------------------------------------------------------------------


@router.get("/")
def queue_page(request: Request, who: PageWho, session: DbSession) -> HTMLResponse:
    queues = service.queues(session)
    params = request.query_params
    return render(
        request,
        "queue.html",
        who,
        queues=queues,
        status_choices=STATUS_CHOICES,
        status=params.get("status", ACTIVE_FILTER),
        queue=params.get("queue", ""),
        priority=params.get("priority", ""),
        assignee=params.get("assignee", ""),
    )


@router.get("/queue.json", response_model=TicketList)
def queue_json(request: Request, who: PageWho, session: DbSession) -> Any:
    filters = filters_from(request.query_params, session)
    if isinstance(filters, str):
        return JSONResponse({"error": "invalid_request", "message": filters}, status_code=400)
    return tickets_json(service.list_tickets(session, filters=filters))


# --- ticket ----------------------------------------------------------------------------


@router.get("/tickets/{ticket_id}")
def ticket_page(ticket_id: int, request: Request, who: PageWho, session: DbSession) -> HTMLResponse:
    ticket = service.ticket_detail(session, ticket_id=ticket_id)
    if ticket is None:
        return render(request, "missing.html", who, 404, ticket_id=ticket_id)
    media = {m.id: m for m in ticket.media}
    audit.ticket_viewed(
        session, actor=who.username, actor_id=who.id, ticket_id=ticket_id, sender_id=ticket.customer
    )
    return render(
        request,
        "ticket.html",
        who,
        ticket=ticket,
        media=media,
        agents=service.agents(session),
        canned=service.canned_responses(),
        window=window_of(session, sender_id=ticket.customer),
        approved_templates=offered(ticket.language, ticket_values(session, ticket_id=ticket_id)),
        message=request.query_params.get("msg"),
        error=request.query_params.get("err"),
    )


@router.get("/tickets/{ticket_id}/messages.json")
def ticket_json(ticket_id: int, who: PageWho, session: DbSession) -> JSONResponse:
    found = service.ticket_detail(session, ticket_id=ticket_id)
    if found is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return JSONResponse({"status": str(found.status), "count": len(found.messages)})


@router.post("/tickets/{ticket_id}/reply")
async def reply(ticket_id: int, request: Request, who: PageWho) -> Response:
    async def run(form: Any) -> str:
        upload = form.get("file")
        outgoing = None
        if upload is not None and getattr(upload, "filename", ""):
            outgoing = service.checked_upload(await upload.read(), upload.filename)
        result = await service.reply(
            request.app.state,
            ticket_id=ticket_id,
            agent_id=who.id,
            text=str(form.get("text") or ""),
            upload=outgoing,
        )
        return {
            "sent": "Reply sent.",
            "template": "The 24-hour window is closed: the customer got the approved "
            "template inviting them to write back; your reply is kept here.",
            "not_sent": "The 24-hour window is closed and no template is configured: "
            "nothing was sent.",
            "failed": "WhatsApp refused the message; see the log.",
        }[result.delivery]

    return await action(request, ticket_id, run)


@router.post("/tickets/{ticket_id}/note")
async def note(ticket_id: int, request: Request, who: PageWho) -> Response:
    async def run(form: Any) -> str:
        await asyncio.to_thread(
            service.in_session,
            request.app.state.database_url,
            service.note,
            ticket_id=ticket_id,
            agent_id=who.id,
            text=str(form.get("text") or ""),
        )
        return "Note added."

    return await action(request, ticket_id, run)


@router.post("/tickets/{ticket_id}/assign")
async def assign(ticket_id: int, request: Request, who: PageWho) -> Response:
    async def run(form: Any) -> str:
        value = str(form.get("agent") or "")
        assignee = int(value) if value.isdigit() else None
        await asyncio.to_thread(
            service.in_session,
            request.app.state.database_url,
            service.assign,
            ticket_id=ticket_id,
            assignee_id=assignee,
            by=who.id,
        )
        return "Assignment saved."

    return await action(request, ticket_id, run)


@router.post("/tickets/{ticket_id}/close")
async def close(ticket_id: int, request: Request, who: PageWho) -> Response:
    async def run(form: Any) -> str:
        resolved = form.get("outcome", TicketStatus.RESOLVED) == TicketStatus.RESOLVED
        result = await service.close(
            request.app.state, ticket_id=ticket_id, agent_id=who.id, resolved=resolved
        )
        resumed = result.bot_resumed
        if result.survey_template:
            return (
                "Ticket closed. The customer's 24-hour window had closed, so the "
                "satisfaction question went as the approved survey template."
            )
        return "Ticket closed." + (
            " The bot is back and asks for a score."
            if resumed
            else " The bot could not be reached to resume; see the log."
            if resumed is False
            else ""
        )

    return await action(request, ticket_id, run)


@router.post("/tickets/{ticket_id}/hand_back")
async def hand_back(ticket_id: int, request: Request, who: PageWho) -> Response:
    async def run(form: Any) -> str:
        result = await service.hand_back(request.app.state, ticket_id=ticket_id, agent_id=who.id)
        return (
            "Handed back to the bot."
            if result.bot_resumed
            else ("Handed back; the bot could not be reached to resume (see the log).")
        )

    return await action(request, ticket_id, run)


@router.post("/tickets/{ticket_id}/push")
async def push(ticket_id: int, request: Request, who: PageWho) -> Response:
    """Try again to create the case in Zendesk/Freshdesk after that service failed."""

    async def run(form: Any) -> str:
        external, error = await asyncio.to_thread(
            push_new_ticket, ticket_id=ticket_id, url=request.app.state.database_url
        )
        if error:
            raise HelpdeskError(error, hint="The case stays here; try again later.")
        return f"Created in the ticketing service as #{external}." if external else "Nothing to do."

    return await action(request, ticket_id, run)
