"""What every server-rendered page and form shares: rendering a template with the agent
and the CSRF token, the redirect back with a message, and the CSRF check of a posted form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from helpdesk.console.security import Who, check_csrf, csrf_token
from helpdesk.console.templating import templates
from helpdesk.errors import HelpdeskError


def render(
    request: Request, name: str, who: Who | None, code: int = 200, **context: Any
) -> HTMLResponse:
    context.update(request=request, who=who, csrf=csrf_token(request))
    return templates().TemplateResponse(request, name, context, status_code=code)


def back(path: str, message: str | None = None, error: str | None = None) -> RedirectResponse:
    query = {k: v for k, v in (("msg", message), ("err", error)) if v}
    return RedirectResponse(path + ("?" + urlencode(query) if query else ""), status_code=303)


async def posted(request: Request) -> Any:
    """The posted form, or ``None`` when its CSRF token is missing or wrong."""
    form = await request.form()
    return form if check_csrf(request, form.get("csrf")) else None


def csrf_refused() -> HTMLResponse:
    return HTMLResponse(
        "<h1>Form expired</h1><p>The form was not accepted (missing or stale security "
        'token). <a href="/">Go back</a>, reload the page and try again.</p>',
        status_code=403,
    )


async def action(request: Request, ticket_id: int, run: Any) -> Response:
    """A ticket page form: CSRF-checked, ``run(form)`` → the message shown on the ticket
    (a ``HelpdeskError`` is shown with what to do next)."""
    path = f"/tickets/{ticket_id}"
    form = await posted(request)
    if form is None:
        return csrf_refused()
    try:
        message = await run(form)
    except HelpdeskError as error:
        return back(path, error=f"{error.args[0]} — {error.hint}")
    return back(path, message=message)
