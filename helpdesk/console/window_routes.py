"""Routes of the 24-hour window (``window``): the JSON API and the ticket page's form.

GET  /api/tickets/{id}/window     → {"open", "closes_at", "seconds_left", "templates": [...]}
POST /api/tickets/{id}/templates  {"name", "parameters": [...]} → 201 {"id", "delivery"}
POST /tickets/{id}/template       the ticket page's "Send template" form (template=…, and
                                  p-<template>=… once per variable, in order)

Free text to a closed window is refused by ``POST /api/tickets/{id}/replies`` with 409
``window_closed`` (``helpdesk.errors.WindowClosed``) and by the page with that message.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, StrictStr

from helpdesk.console.answers import model_json
from helpdesk.console.forms import action
from helpdesk.console.schemas import ApiRequest, ReplyAnswer
from helpdesk.console.security import ApiWho, DbSession, PageWho
from helpdesk.console.window import send_template, ticket_window

router = APIRouter()


class TemplateRequest(ApiRequest):
    usage: ClassVar[str] = (
        'send {"name": "...", "parameters": ["...", ...]} with an approved template\'s name'
    )
    name: StrictStr = Field(..., max_length=512, description="An approved template's name.")
    parameters: list[StrictStr] | None = Field(
        None,
        max_items=20,
        description="Values of the template's {{1}}, {{2}}…, in order; an empty or missing "
        "one is filled from the ticket where the template says so (customer name, case id).",
    )


@router.get("/api/tickets/{ticket_id}/window", tags=["JSON API"])
def window(ticket_id: int, who: ApiWho, session: DbSession) -> Any:
    """Whether the customer's 24-hour window is open, when it closes, and the approved
    templates that can be sent when it is closed."""
    found = ticket_window(session, ticket_id=ticket_id)
    if not found:
        return JSONResponse({"error": "not_found", "message": "No such ticket."}, status_code=404)
    return found


@router.post(
    "/api/tickets/{ticket_id}/templates",
    status_code=201,
    response_model=ReplyAnswer,
    tags=["JSON API"],
)
async def api_template(ticket_id: int, body: TemplateRequest, request: Request, who: ApiWho) -> Any:
    """Send an approved template to the customer (what reaches them once their 24-hour
    window has closed); kept on the ticket as the agent's reply."""
    answer = await send_template(
        request.app.state,
        ticket_id=ticket_id,
        agent_id=who.id,
        name=body.name,
        parameters=body.parameters,
        origin="api",
    )
    return model_json(answer, status_code=201)


@router.post("/tickets/{ticket_id}/template", include_in_schema=False)
async def page_template(ticket_id: int, request: Request, who: PageWho) -> Response:
    async def run(form: Any) -> str:
        name = str(form.get("template") or "")
        answer = await send_template(
            request.app.state,
            ticket_id=ticket_id,
            agent_id=who.id,
            name=name,
            parameters=[str(v) for v in form.getlist(f"p-{name}")][:20],
        )
        if answer.delivery == "failed":
            return "WhatsApp refused the template; see the log."
        return "Approved template sent."

    return await action(request, ticket_id, run)
