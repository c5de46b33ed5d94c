"""The dashboard's filters: a date range (UTC days, both ends included), use case,
language, queue, and whether times count business hours only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

DEFAULT_DAYS = 30
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# Unbounded ends as dates every engine stores (PostgreSQL and SQLite alike).
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(3000, 1, 1)


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    use_case: str | None = None
    language: str | None = None
    queue: str | None = None
    business_hours: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time()) if self.since else EARLIEST

    @property
    def end(self) -> datetime:
        """Exclusive: the midnight after ``until``."""
        return datetime.combine(self.until + timedelta(days=1), time()) if self.until else LATEST

    def query(self) -> dict[str, str]:
        """These filters as the page's query string (for links and the CSV exports)."""
        values = {
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "use_case": self.use_case or "",
            "language": self.language or "",
            "queue": self.queue or "",
        }
        if self.business_hours:
            values["hours"] = "business"
        return values


def _day(value: str | None, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"“{name}” must be a date like 2026-11-30; it was ignored.")
        return None


def _name(value: str | None, name: str, problems: list[str]) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _NAME.fullmatch(value):
        problems.append(f"“{name}” is not a {name} name; it was ignored.")
        return None
    return value


def from_query(params: Mapping[str, str], *, today: date) -> Filters:
    """Filters from the page's query string. Without ``from`` and ``to`` the last
    ``DEFAULT_DAYS`` days; an empty ``from`` (the form sent) means from the beginning.
    Bad values are ignored and named in ``problems`` (the page shows them)."""
    problems: list[str] = []
    if "from" not in params and "to" not in params:
        since: date | None = today - timedelta(days=DEFAULT_DAYS - 1)
        until: date | None = today
    else:
        since = _day(params.get("from"), "from", problems)
        until = _day(params.get("to"), "to", problems)
    if since and until and since > until:
        problems.append("“from” is after “to”; the two were swapped.")
        since, until = until, since
    return Filters(
        since=since,
        until=until,
        use_case=_name(params.get("use_case"), "use case", problems),
        language=_name(params.get("language"), "language", problems),
        queue=_name(params.get("queue"), "queue", problems),
        business_hours=params.get("hours") == "business",
        problems=tuple(problems),
    )
