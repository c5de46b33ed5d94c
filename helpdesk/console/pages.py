"""The web pages: sign-in, the queue (filters, refreshed by polling ``/queue.json``), a
ticket (transcript, media inline, analysis, reply with canned responses, notes, assign,
close, hand back), the agents list (admins add agents), and the audited media route."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from helpdesk import audit
from helpdesk.console import service
from helpdesk.console.agents import add_agent as create_agent
from helpdesk.console.agents import authenticate
from helpdesk.console.answers import http_status, tickets_json
from helpdesk.console.api import ACTIVE_FILTER, filters_from
from helpdesk.console.schemas import TicketList
from helpdesk.console.security import (
    DbSession,
    PageWho,
    Who,
    check_csrf,
    client_ip,
    csrf_token,
    fingerprint,
    safe_next,
)
from helpdesk.console.templating import templates
from helpdesk.console.window import offered, window_of
from helpdesk.db.models import MediaRecord
from helpdesk.db.models.status import TicketStatus
from helpdesk.errors import AuthError, HelpdeskError, LockedOut, MediaNotFound
from helpdesk.store import get_media_store
from helpdesk.tickets.core import log_media_view, ticket_of_media
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


INLINE_MIME = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "video/mp4",
    "video/3gpp",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "application/pdf",
}


def _render(
    request: Request, name: str, who: Who | None, code: int = 200, **context: Any
) -> HTMLResponse:
    context.update(request=request, who=who, csrf=csrf_token(request))
    return templates().TemplateResponse(request, name, context, status_code=code)


def _back(path: str, message: str | None = None, error: str | None = None) -> RedirectResponse:
    query = {k: v for k, v in (("msg", message), ("err", error)) if v}
    return RedirectResponse(path + ("?" + urlencode(query) if query else ""), status_code=303)


async def _form(request: Request) -> Any:
    """The posted form, or ``None`` when its CSRF token is missing or wrong."""
    form = await request.form()
    return form if check_csrf(request, form.get("csrf")) else None


def _csrf_refused() -> HTMLResponse:
    return HTMLResponse(
        "<h1>Form expired</h1><p>The form was not accepted (missing or stale security "
        'token). <a href="/">Go back</a>, reload the page and try again.</p>',
        status_code=403,
    )


# --- sign-in ---------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request) -> HTMLResponse:
    return _render(request, "login.html", None, next=safe_next(request.query_params.get("next")))


def _sign_in(session: Session, *, username: str, password: str, ip: str) -> tuple[int, str, str]:
    try:
        agent = authenticate(session, username=username, password=password, ip=ip)
    except AuthError:
        session.commit()  # keep the failed attempt: it counts towards the lockout
        raise
    return agent.id, agent.username, fingerprint(agent.password_hash)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    next_url = safe_next(str(form.get("next") or "/"))
    if not check_csrf(request, form.get("csrf")):
        return _render(
            request,
            "login.html",
            None,
            403,
            next=next_url,
            error="The sign-in form expired; please try again.",
        )
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
        return _render(
            request,
            "login.html",
            None,
            http_status(error),
            next=next_url,
            error="Too many failed sign-ins. Wait a while and try again.",
        )
    except AuthError as error:
        metrics.logins.labels(outcome="failed").inc()
        return _render(
            request,
            "login.html",
            None,
            http_status(error),
            next=next_url,
            error="Wrong username or password.",
        )
    metrics.logins.labels(outcome="ok").inc()
    request.session.clear()  # a new session: no fixation
    request.session["agent_id"] = agent_id
    request.session["pw"] = stamp
    csrf_token(request)
    logger.info("agent %s signed in from %s", name, ip)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
async def logout(request: Request, who: PageWho) -> Response:
    if await _form(request) is None:
        return _csrf_refused()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --- queue -----------------------------------------------------------------------------


@router.get("/")
def queue_page(request: Request, who: PageWho, session: DbSession) -> HTMLResponse:
    queues = service.queues(session)
    params = request.query_params
    return _render(
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
        return _render(request, "missing.html", who, 404, ticket_id=ticket_id)
    media = {m.id: m for m in ticket.media}
    audit.ticket_viewed(
        session, actor=who.username, actor_id=who.id, ticket_id=ticket_id, sender_id=ticket.customer
    )
    return _render(
        request,
        "ticket.html",
        who,
        ticket=ticket,
        media=media,
        agents=service.agents(session),
        canned=service.canned_responses(),
        window=window_of(session, sender_id=ticket.customer),
        approved_templates=offered(ticket.language),
        message=request.query_params.get("msg"),
        error=request.query_params.get("err"),
    )


@router.get("/tickets/{ticket_id}/messages.json")
def ticket_json(ticket_id: int, who: PageWho, session: DbSession) -> JSONResponse:
    found = service.ticket_detail(session, ticket_id=ticket_id)
    if found is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return JSONResponse({"status": str(found.status), "count": len(found.messages)})


async def action(request: Request, ticket_id: int, run: Any) -> Response:
    path = f"/tickets/{ticket_id}"
    form = await _form(request)
    if form is None:
        return _csrf_refused()
    try:
        message = await run(form)
    except HelpdeskError as error:
        return _back(path, error=f"{error.args[0]} — {error.hint}")
    return _back(path, message=message)


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


# --- media (every view is audited) -----------------------------------------------------


@router.get("/media/{media_id}")
def media(media_id: int, request: Request, who: PageWho, session: DbSession) -> Response:
    record = session.get(MediaRecord, media_id)
    # Only media that reached a ticket: a customer's other files are not for agents.
    ticket_id = ticket_of_media(session, media=record) if record is not None else None
    if record is None or ticket_id is None:
        return HTMLResponse("<p>This file is no longer stored.</p>", status_code=404)
    log_media_view(
        session, agent_id=who.id, agent_name=who.username, media=record, ticket_id=ticket_id
    )
    mime = record.mime
    try:
        data = get_media_store().get(record.sha256)
    except MediaNotFound:
        return HTMLResponse("<p>This file is no longer stored.</p>", status_code=404)
    request.app.state.metrics.media_views.inc()
    logger.info("agent %s viewed media %s", who.username, media_id)
    inline = mime in INLINE_MIME
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": ("inline" if inline else "attachment")
        + f'; filename="media-{media_id}"',
    }
    if mime != "application/pdf":
        # A file opened on its own can run nothing; PDFs are left to the browser's viewer,
        # which a sandboxed document could not use.
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(
        data, media_type=mime if inline else "application/octet-stream", headers=headers
    )


# --- agents (admins add agents) --------------------------------------------------------


@router.get("/agents")
def agents_page(request: Request, who: PageWho, session: DbSession) -> HTMLResponse:
    agents = service.agents(session)
    return _render(
        request,
        "agents.html",
        who,
        agents=agents,
        message=request.query_params.get("msg"),
        error=request.query_params.get("err"),
    )


@router.post("/agents")
async def add_agent(request: Request, who: PageWho) -> Response:
    form = await _form(request)
    if form is None:
        return _csrf_refused()
    if not who.is_admin:
        return HTMLResponse("<p>Only an admin can add agents.</p>", status_code=403)
    username, role = str(form.get("username") or ""), str(form.get("role") or "agent")
    password = str(form.get("password") or "")

    try:
        await asyncio.to_thread(
            service.in_session,
            request.app.state.database_url,
            create_agent,
            username=username,
            password=password,
            role=role,
            by=who.username,
            by_id=who.id,
        )
    except HelpdeskError as error:
        return _back("/agents", error=f"{error.args[0]} — {error.hint}")
    return _back("/agents", message=f"Agent {username} added.")
