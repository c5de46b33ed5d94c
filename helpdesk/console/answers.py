"""How the console answers an error over HTTP: the status chosen by the error's class.

Lower than every router, so pages, API and app share one table.
"""

from __future__ import annotations

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
