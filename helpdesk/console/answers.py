"""How the console answers over HTTP: an error's status chosen by its class, and models
written as JSON without a second validation.

Lower than every router, so pages, API and app share one table.
"""

from __future__ import annotations

import json

from pydantic import BaseModel
from starlette.responses import Response

from helpdesk.console.schemas import TicketSummary
from helpdesk.errors import (
    AuthError,
    Conflict,
    Forbidden,
    HelpdeskError,
    LockedOut,
    TicketingError,
    TicketNotFound,
    Unauthorized,
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


# A route that returns a model has FastAPI turn it into a dict, validate that against the
# response model again and walk it with ``jsonable_encoder``: ~7x the cost of writing it
# (pydantic v1; measured with bench/bench_console.py). Our answers are built from the
# models already, so routes write them directly; ``response_model`` still documents them.


def model_json(
    model: BaseModel, *, status_code: int = 200, exclude_unset: bool = False
) -> Response:
    return Response(
        model.json(exclude_unset=exclude_unset),
        status_code=status_code,
        media_type="application/json",
    )


def tickets_json(rows: list[TicketSummary]) -> Response:
    """The queue (up to hundreds of rows, polled): rows are flat, so their ``__dict__`` is
    their JSON object, and ``json.dumps`` writes it ~30x faster than ``.json()``."""
    body = json.dumps({"tickets": [row.__dict__ for row in rows]}, ensure_ascii=False)
    return Response(body, media_type="application/json")
