"""``/audit`` (admins only): the audit trail, filtered by actor, action and dates, and
``/audit.csv``, the same rows as CSV. Agents get 403."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from helpdesk import audit
from helpdesk.console.security import DbSession, PageWho, csrf_token
from helpdesk.console.templating import templates

router = APIRouter(include_in_schema=False)

FORBIDDEN = (
    '<h1>Admins only</h1><p>The audit trail is for admins. <a href="/">Back to the queue</a>.</p>'
)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(params: Any) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Query → ``audit.events`` filters, the form's values, and what was not understood."""
    form = {k: str(params.get(k) or "").strip() for k in ("actor", "action", "from", "to")}
    since, until = _day(form["from"]), _day(form["to"])
    problems = [
        f"{name} date {form[name]!r} is not YYYY-MM-DD (ignored)"
        for name, parsed in (("from", since), ("to", until))
        if form[name] and parsed is None
    ]
    actions = {str(a) for a in audit.AuditAction}
    if form["action"] and form["action"] not in actions:
        problems.append(f"unknown action {form['action']!r} (ignored)")
        form["action"] = ""
    filters = {
        "actor": form["actor"] or None,
        "action": form["action"] or None,
        "since": datetime.combine(since, datetime.min.time()) if since else None,
        # ``to`` is inclusive: the whole day.
        "until": datetime.combine(until, datetime.min.time()) + timedelta(days=1)
        if until
        else None,
    }
    return filters, form, "; ".join(problems) or None


@router.get("/audit")
def audit_page(request: Request, who: PageWho, session: DbSession) -> Response:
    if not who.is_admin:
        return HTMLResponse(FORBIDDEN, status_code=403)
    filters, form, problem = _filters(request.query_params)
    rows = [audit.row(e) for e in audit.events(session, **filters)]
    context = {
        "request": request,
        "who": who,
        "csrf": csrf_token(request),
        "rows": rows,
        "form": form,
        "error": problem,
        "actions": [str(a) for a in audit.AuditAction],
        "actors": audit.actors(session),
        "query": request.url.query,
        "limit": audit.MAX_ROWS,
    }
    return templates().TemplateResponse(request, "audit.html", context)


@router.get("/audit.csv")
def audit_csv(request: Request, who: PageWho, session: DbSession) -> Response:
    if not who.is_admin:
        return HTMLResponse(FORBIDDEN, status_code=403)
    filters, _form, _problem = _filters(request.query_params)
    body = audit.events_csv(audit.events(session, **filters))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit.csv"',
            "Cache-Control": "private, no-store",
        },
    )
