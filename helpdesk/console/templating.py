"""Where the console's templates and static files are, and the Jinja environment the pages
render with (kept below ``app`` and ``pages`` so neither imports the other for it)."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi.templating import Jinja2Templates

from helpdesk.db.models.status import ACTIVE, TicketStatus

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"


def when(value: str | None) -> str:
    """``2026-11-24T22:09:42.883051Z`` → ``2026-11-24 22:09 UTC`` for people."""
    return f"{value[:10]} {value[11:16]} UTC" if value and len(value) >= 16 else ""


@functools.cache
def templates() -> Jinja2Templates:
    """Built on first use, once per process."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["when"] = when
    templates.env.globals.update(TicketStatus=TicketStatus, ACTIVE=ACTIVE)
    return templates
