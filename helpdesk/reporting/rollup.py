"""The dashboard's daily rollups: every figure's counts per UTC day and per use case,
language and queue (``report_counts``), and each handed-off ticket's durations
(``report_ticket_times``), so a view sums a few thousand rows instead of reading every
case, message and file.

The rollups are computed by the same row-by-row queries the dashboard used before (over a
range of days instead of the filters), so they hold exactly the same figures (``rollup_rows``).
``refresh`` keeps them current from a watermark: rows written or changed since the last
refresh (tickets, outcomes and ratings, inbox messages, files and their analyses,
outbound messages and identities) name the days and the figures they change
(``rollup_changes.changed``;
a new ticket also changes the use case of its customer's earlier files). Deleting rows
leaves no trace to find, and a customer's language is rewritten in place, so erasure, the
retention purge and ``helpdesk.customers`` mark the days first (``marks``): every figure
of those days is recomputed at the next refresh. Aggregates only: no sender id, phone
number or text is kept, so erasure has nothing to delete here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from helpdesk.db.models import ReportCount, ReportDirtyDay, ReportState, ReportTicketTime
from helpdesk.db.models.base import utcnow
from helpdesk.db.rollup_marks import CHUNK
from helpdesk.reporting.filters import Filters
from helpdesk.reporting.rollup_changes import changed
from helpdesk.reporting.rollup_rows import CASES, COMPUTE, GROUPS, hours_key, ticket_times
from helpdesk.reporting.times import BusinessClock

# A transaction that wrote its rows before the last refresh started but committed after
# it is still found: the watermark is read this much earlier (the product's transactions
# last a request or a conversation turn; rows in the margin are recomputed twice).
MARGIN = timedelta(seconds=15)
# More days than this to recompute: one pass from the first to the last of them.
SCATTERED_DAYS = 31
WATERMARK = "watermark"
_LOCK = threading.Lock()
# Per database: the watermark this process's last refresh wrote, and the rows it found in
# the margin before it (``changed``'s keys), which the next refresh finds again.
_SEEN: dict[str, tuple[datetime, frozenset[tuple]]] = {}


def _insert(session: Session, model: Any, rows: Iterable[dict]) -> None:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 5000:
            session.execute(model.__table__.insert(), batch)
            batch = []
    if batch:
        session.execute(model.__table__.insert(), batch)


def _ranges(days: set[str]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges."""
    found: list[tuple[date, date]] = []
    for d in sorted(date.fromisoformat(x) for x in days):
        if found and d == found[-1][1] + timedelta(days=1):
            found[-1] = (found[-1][0], d)
        else:
            found.append((d, d))
    return found


def _retime(session: Session, ids: list[int], clock: BusinessClock) -> None:
    """Replace the durations of these tickets (the ones that changed)."""
    times = ReportTicketTime.__table__
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        session.execute(delete(times).where(times.c.ticket_id.in_(part)))
        _insert(session, ReportTicketTime, ticket_times(session, Filters(), clock, ids=part))


def _recompute(
    session: Session, group: str, f: Filters, clock: BusinessClock, *, durations: bool = True
) -> None:
    """Replace one group's rollups of the days in ``f``'s range by their row-by-row
    figures."""
    counts, times = ReportCount.__table__, ReportTicketTime.__table__
    days: list[Any] = []
    if f.since and f.until:
        first, last = f.since.isoformat(), f.until.isoformat()
        days = [counts.c.day >= first, counts.c.day <= last]
    session.execute(delete(counts).where(counts.c.part.in_(GROUPS[group]), *days))
    _insert(session, ReportCount, COMPUTE[group](session, f))
    if group == CASES and durations:
        if f.since and f.until:
            session.execute(delete(times).where(times.c.day >= first, times.c.day <= last))
        else:
            session.execute(delete(times))
        _insert(session, ReportTicketTime, ticket_times(session, f, clock))


def refresh(session: Session, *, clock: BusinessClock, full: bool = False) -> int:
    """Bring the rollups up to date (the first time, or when the business hours changed:
    everything). Returns the number of (group, day) recomputed (-1: all of them). The
    caller commits."""
    with _LOCK:
        state = session.execute(
            select(ReportState).where(ReportState.name == WATERMARK).with_for_update()
        ).scalar_one_or_none()
        started = utcnow()
        key = hours_key(clock)
        if state is None:
            state = ReportState(name=WATERMARK)
            session.add(state)
            full = True
        full = full or state.at is None or state.value != key
        marked = [d for (d,) in session.execute(select(ReportDirtyDay.day))]
        recomputed = -1
        if full:
            for group in GROUPS:
                _recompute(session, group, Filters(), clock)
            # The planner learns the rollups' size now, not at the next autovacuum.
            for table in (ReportCount.__tablename__, ReportTicketTime.__tablename__):
                session.execute(text(f"ANALYZE {table}"))
        else:
            # Rows this process's last refresh already counted are not recounted: their
            # days were recomputed after it read them. Only if that refresh committed and
            # was the last one (the watermark is the one it wrote).
            url = str(session.get_bind().url)
            last = _SEEN.get(url)
            skip = last[1] if last and last[0] == state.at else frozenset()
            seen: set[tuple] = set()
            dirty, tickets = changed(
                session, since=state.at - MARGIN, upto=started, skip=skip, seen=seen
            )
            # What the next refresh's margin holds: counted now or by the last refresh.
            kept = frozenset(k for k in seen | skip if k[-1] >= started - MARGIN)
            _SEEN[url] = (started, kept)
            recomputed = 0
            for group, days in dirty.items():
                # Marked days: every figure, durations too; changed days: the counts (the
                # durations of the changed tickets are replaced one by one below).
                for chosen, durations in ((set(marked), True), (days - set(marked), False)):
                    recomputed += len(chosen)
                    ranges = _ranges(chosen)
                    if len(ranges) > SCATTERED_DAYS:
                        ranges = [(ranges[0][0], ranges[-1][1])]
                    for first, last in ranges:
                        f = Filters(since=first, until=last)
                        _recompute(session, group, f, clock, durations=durations)
            _retime(session, tickets, clock)
        table = ReportDirtyDay.__table__
        for start in range(0, len(marked), CHUNK):
            session.execute(delete(table).where(table.c.day.in_(marked[start : start + CHUNK])))
        state.at, state.value = started, key
        session.flush()
        return recomputed
