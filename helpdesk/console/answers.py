"""How the console answers over HTTP: an error's status chosen by its class, and models
written as JSON without a second validation.

Lower than every router, so pages, API and app share one table.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from helpdesk.console.schemas import TicketList, TicketSummary
from helpdesk.errors import (
    AuthError,
    Conflict,
    Forbidden,
    HelpdeskError,
    LockedOut,
    TemplateNotApproved,
    TemplateParametersInvalid,
    TicketingError,
    TicketNotFound,
    Unauthorized,
    WindowClosed,
)

# The HTTP status of each error the console answers, chosen by class (the nearest in the
# error's MRO wins): ``helpdesk.errors`` documents the tree.
HTTP_STATUS: dict[type[HelpdeskError], int] = {
    Unauthorized: 401,
    AuthError: 401,
    Forbidden: 403,
    LockedOut: 429,
    TicketingError: 400,
    TicketNotFound: 404,
    Conflict: 409,
}


def http_status(error: HelpdeskError) -> int:
    return next((HTTP_STATUS[c] for c in type(error).__mro__ if c in HTTP_STATUS), 500)


# The ``error`` of a ticketing error's JSON answer where callers must tell it apart.
ERROR_CODES: dict[type[HelpdeskError], str] = {
    WindowClosed: "window_closed",
    TemplateNotApproved: "template_not_approved",
    TemplateParametersInvalid: "template_parameters",
}


def error_code(error: HelpdeskError, default: str = "ticketing") -> str:
    return next((ERROR_CODES[c] for c in type(error).__mro__ if c in ERROR_CODES), default)


# A route that returns a model has FastAPI turn it into a dict, validate that against the
# response model again and walk it with ``jsonable_encoder``: several times the cost of
# the rest of the answer with pydantic v1 (bench/bench_console.py). Our answers are the
# models already, built from our own rows, so routes write them directly with
# ``json.dumps``; ``response_model`` still documents them.


def plain(value: Any) -> Any:
    """Models → their fields (``__dict__``), nested models and lists included."""
    # Plain values first: pydantic v1's isinstance check on models is slow (a metaclass
    # hook), and most values are plain.
    if value is None or isinstance(value, (str, int, float, dict)):
        return value
    if isinstance(value, BaseModel):
        return {name: plain(item) for name, item in value.__dict__.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def model_json(
    model: BaseModel, *, status_code: int = 200, exclude_unset: bool = False
) -> Response:
    body = plain(model)
    if exclude_unset:
        body = {name: item for name, item in body.items() if name in model.__fields_set__}
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status_code, media_type="application/json"
    )


def tickets_json(rows: list[TicketSummary]) -> Response:
    return model_json(TicketList.construct(tickets=rows))
