"""``/agents``: the agents list; admins add agents and change roles (make agent / make
admin). Every change is audited as the CLI's is; the last admin cannot be demoted."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from helpdesk.console import service
from helpdesk.console.agents import ROLES, add_agent, set_role
from helpdesk.console.forms import back, csrf_refused, posted, render
from helpdesk.console.security import DbSession, PageWho
from helpdesk.errors import HelpdeskError

router = APIRouter(include_in_schema=False)

ADMINS_ONLY = '<p>Only an admin can {what}. <a href="/agents">Back to the agents</a>.</p>'


@router.get("/agents")
def agents_page(request: Request, who: PageWho, session: DbSession) -> HTMLResponse:
    return render(
        request,
        "agents.html",
        who,
        agents=service.agents(session),
        message=request.query_params.get("msg"),
        error=request.query_params.get("err"),
    )


async def _admin_form(request: Request, who: PageWho, *, what: str) -> Any:
    """The posted form of an admin-only action, or the page that refuses it (a stale CSRF
    token, or an agent who is not an admin)."""
    form = await posted(request)
    if form is None:
        return csrf_refused()
    if not who.is_admin:
        return HTMLResponse(ADMINS_ONLY.format(what=what), status_code=403)
    return form


@router.post("/agents")
async def add(request: Request, who: PageWho) -> Response:
    form = await _admin_form(request, who, what="add agents")
    if isinstance(form, Response):
        return form
    username, role = str(form.get("username") or ""), str(form.get("role") or "agent")
    try:
        await asyncio.to_thread(
            service.in_session,
            request.app.state.database_url,
            add_agent,
            username=username,
            password=str(form.get("password") or ""),
            role=role,
            by=who.username,
            by_id=who.id,
        )
    except HelpdeskError as error:
        return back("/agents", error=f"{error.args[0]} — {error.hint}")
    return back("/agents", message=f"Agent {username} added.")


@router.post("/agents/role")
async def change_role(request: Request, who: PageWho) -> Response:
    """The agents page's "Make agent" / "Make admin" buttons (username=…, role=…)."""
    form = await _admin_form(request, who, what="change roles")
    if isinstance(form, Response):
        return form
    username, role = str(form.get("username") or "")[:64], str(form.get("role") or "")
    if role not in ROLES:
        return back("/agents", error=f"Unknown role {role[:20]!r}: use agent or admin.")
    try:
        await asyncio.to_thread(
            service.in_session,
            request.app.state.database_url,
            set_role,
            username=username,
            role=role,
            by=who.username,
            by_id=who.id,
        )
    except HelpdeskError as error:
        return back("/agents", error=f"{error.args[0]} — {error.hint}")
    now = "an admin" if role == "admin" else "an agent"
    return back("/agents", message=f"{username} is now {now}.")
