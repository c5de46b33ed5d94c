"""``/dashboard`` (signed-in agents and admins): every figure of ``helpdesk.reporting`` as
a server-drawn chart, its table and a CSV export (``/dashboard/{table}.csv``), with the
filters in the query string."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from helpdesk.console import charts
from helpdesk.console.security import DbSession, PageWho, csrf_token
from helpdesk.console.templating import templates
from helpdesk.reporting import cases, filters, report

router = APIRouter(include_in_schema=False)

SECTIONS = (
    ("Volume", ("volume", "cases_by_use_case", "cases_by_language", "cases_by_queue")),
    ("Bot and handoffs", ("outcomes", "handoff_reasons")),
    ("Response and resolution times", ("response_times",)),
    ("Satisfaction", ("satisfaction", "csat_by_queue", "csat_by_agent")),
    ("Media", ("media_received", "media_refusals", "authenticity")),
    ("Cost", ("cost",)),
)


@router.get("/dashboard")
def dashboard(request: Request, who: PageWho, session: DbSession) -> HTMLResponse:
    chosen = filters.from_query(request.query_params, today=report.today())
    built = report.build(session, chosen)
    query = urlencode(chosen.query())
    context = {
        "request": request,
        "who": who,
        "csrf": csrf_token(request),
        "report": built,
        "f": chosen,
        "query": query,
        "sections": SECTIONS,
        "choices": cases.choices(session),
        "chart": charts.render,
        "error": " ".join(chosen.problems) or None,
    }
    return templates().TemplateResponse(request, "dashboard.html", context)


@router.get("/dashboard/{key}.csv")
def export(key: str, request: Request, who: PageWho, session: DbSession) -> Response:
    part = report.PART_OF.get(key)
    if part is None:
        return Response(
            f"There is no table {key!r}; the dashboard links each table's CSV.\n",
            status_code=404,
            media_type="text/plain",
        )
    chosen = filters.from_query(request.query_params, today=report.today())
    table = report.build(session, chosen, only=[part]).table(key)
    return Response(
        report.csv_text(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{key}.csv"'},
    )
