"""Where ``report.build`` reads its figures from: ``Rollups`` (the daily rollups, what the
dashboard and ``/metrics`` use) or ``Rows`` (every case, message and file, row by row: how
the rollups are computed, and what the tests compare them with). Both give the same
numbers for the same filters."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from helpdesk.db.models import CaseOutcome, OutboundMessage, ReportCount, ReportTicketTime
from helpdesk.reporting import cases, media, signals
from helpdesk.reporting.filters import Filters
from helpdesk.reporting.rollup_rows import Part
from helpdesk.reporting.times import BusinessClock, quantile
from helpdesk.whatsapp.pricing import CostSummary, Prices, cost_summary, price

Durations = list[tuple[str, float | None, float | None]]  # queue, first response, resolution
# (queue or ALL_QUEUES, measure) → (tickets, median, p90), in minutes.
Quantiles = dict[tuple[str, str], tuple[int, float | None, float | None]]
ALL_QUEUES = "all queues"
MEASURES = ("first response", "resolution")


def _minutes(ordered: list[float], q: float) -> float:
    """``times.quantile`` of these sorted seconds as minutes: the same arithmetic on the
    same two values (dividing every value first would not change their order)."""
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    a, b = ordered[low] / 60.0, ordered[high] / 60.0
    return a + (b - a) * (position - low)


def _fetch(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """Every row of ``query`` as the driver's tuples, in the session's transaction (tens of
    thousands of rows without building a row object for each)."""
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.params
    args: Any = tuple(params[k] for k in compiled.positiontup) if compiled.positional else params
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return cursor.fetchall()
    finally:
        cursor.close()


class Rows:
    def __init__(self, session: Session, f: Filters, clock: BusinessClock | None) -> None:
        self.session, self.f, self.clock = session, f, clock
        self._cases: list[tuple[Any, ...]] | None = None

    def _counted(self) -> list[tuple[Any, ...]]:
        if self._cases is None:
            self._cases = cases.counted(self.session, self.f)
        return self._cases

    def volume(self) -> list[tuple[str, str, str, str, int]]:
        return cases.volume(self._counted())

    def outcomes(self) -> list[tuple[int, str | None, int, int, int]]:
        return cases.outcomes(self._counted())

    def conversations(self) -> dict[str, int]:
        return dict(cases.conversations(self.session, self.f))

    def durations(self) -> Durations:
        clock = self.clock

        def span(start: float, end: float | None) -> float | None:
            if end is None:
                return None
            return clock.between(start, end) if clock else max(0.0, end - start)

        times = cases.ticket_times(self.session, self.f)
        return [(q, span(o, r), span(o, s)) for q, o, r, s in times]

    def quantiles(self) -> Quantiles:
        groups: dict[tuple[str, str], list[float]] = defaultdict(list)
        for queue, replied, resolved in self.durations():
            for measure, seconds in zip(MEASURES, (replied, resolved), strict=True):
                if seconds is not None:
                    minutes = seconds / 60.0
                    groups[ALL_QUEUES, measure].append(minutes)
                    groups[queue, measure].append(minutes)
        return {k: (len(v), quantile(v, 0.5), quantile(v, 0.9)) for k, v in groups.items()}

    def ratings(self) -> list[tuple[str, str, int, int]]:
        return cases.ratings(self.session, self.f)

    def files(self) -> media.Files:
        return media.files(self.session, self.f)

    def signals(self) -> dict[tuple[str, str, str], int]:
        return signals.totals(signals.by_day(self.session, self.f))

    def cost(self, prices: Prices) -> CostSummary:
        f = self.f
        return cost_summary(
            self.session,
            prices=prices,
            since=f.start if f.since else None,
            until=f.end if f.until else None,
        )


class Rollups:
    def __init__(self, session: Session, f: Filters, clock: BusinessClock | None) -> None:
        self.session, self.f, self.clock = session, f, clock

    def _days(self, column: Any) -> list[ColumnElement]:
        f = self.f
        where = []
        if f.since:
            where.append(column >= f.since.isoformat())
        if f.until:
            where.append(column <= f.until.isoformat())
        return where

    def _rows(self, part: str, *columns: str, dims: bool = True) -> Iterator[Any]:
        c, f = ReportCount.__table__.c, self.f
        where = [c.part == part, *self._days(c.day)]
        if dims:
            for value, column in ((f.use_case, c.use_case), (f.language, c.language)):
                if value:
                    where.append(column == value)
            if f.queue and part not in (Part.CASE, Part.VOLUME):
                where.append(c.queue == f.queue)
        if part in (Part.CASE, Part.VOLUME) and f.queue:
            # The bot's cases are the pseudo-queue "bot"; a ticket's queue is its own.
            if f.queue == cases.BOT_QUEUE:
                where.append(c.a == "1")
            else:
                where.extend((c.a == "0", c.queue == f.queue))
        group = [c[name] for name in columns]
        query = select(*group, func.sum(c.n)).where(*where).group_by(*group)
        return iter(_fetch(self.session, query))

    def volume(self) -> list[tuple[str, str, str, str, int]]:
        rows = self._rows(Part.VOLUME, "day", "use_case", "language", "queue")
        return [(d, u, lang, q, int(n)) for d, u, lang, q, n in rows]

    def outcomes(self) -> list[tuple[int, str | None, int, int, int]]:
        rows = self._rows(Part.CASE, "a", "b", "c")
        return [(int(bot), why, int(done[0]), int(done[1]), int(n)) for bot, why, done, n in rows]

    def conversations(self) -> dict[str, int]:
        f = self.f
        c = ReportCount.__table__.c
        where = [c.part == Part.TALK, *self._days(c.day)]
        if f.language:
            where.append(c.language == f.language)
        rows = self.session.execute(select(c.day, func.sum(c.n)).where(*where).group_by(c.day))
        return {d: int(n) for d, n in rows}

    def quantiles(self) -> Quantiles:
        """Medians and p90s over the stored durations: one indexed read of two numbers per
        ticket through the driver (no row objects), sorted in Python as ``Rows`` does."""
        t, f = ReportTicketTime.__table__.c, self.f
        columns = (
            (t.business_first_response, t.business_resolution)
            if self.clock
            else (t.first_response, t.resolution)
        )
        where = self._days(t.day)
        for value, column in (
            (f.use_case, t.use_case),
            (f.language, t.language),
            (f.queue, t.queue),
        ):
            if value:
                where.append(column == value)
        found: Quantiles = {}
        for measure, column in zip(MEASURES, columns, strict=True):
            query = select(t.queue, column).where(*where, column.is_not(None)).order_by(column)
            ordered = _fetch(self.session, query)  # by duration, as ``quantile`` sorts
            if not ordered:
                continue
            by_queue: dict[str, list[float]] = defaultdict(list)
            for queue, seconds in ordered:
                by_queue[queue].append(seconds)
            by_queue[ALL_QUEUES] = [seconds for _, seconds in ordered]
            for queue, values in by_queue.items():
                found[queue, measure] = (len(values), _minutes(values, 0.5), _minutes(values, 0.9))
        return found

    def ratings(self) -> list[tuple[str, str, int, int]]:
        return [(q, a, int(s), int(n)) for q, a, s, n in self._rows(Part.RATING, "queue", "a", "b")]

    def files(self) -> media.Files:
        found = media.Files(defaultdict(int), defaultdict(int))
        for u, state, n in self._rows(Part.FILE, "use_case", "a"):
            found.received[u, state] += int(n)
        for u, reason, n in self._rows(Part.REFUSAL, "use_case", "a"):
            found.refusals[u, reason] += int(n)
        return found

    def signals(self) -> dict[tuple[str, str, str], int]:
        if self.f.queue == cases.BOT_QUEUE:
            return {}
        return {
            (u, code, sev): int(n)
            for u, code, sev, n in self._rows(Part.SIGNAL, "use_case", "a", "b")
        }

    def cost(self, prices: Prices) -> CostSummary:
        f = self.f
        counts: dict[str, int] = {}
        cost = 0.0
        for category, market, n in self._rows(Part.BILL, "a", "b", dims=False):
            counts[category or "unknown"] = counts.get(category or "unknown", 0) + int(n)
            cost += int(n) * price(prices, market=market, category=category)
        sent, solved = [], []
        if f.since:
            sent.append(OutboundMessage.created_at >= f.start)
            solved.append(CaseOutcome.resolved_at >= f.start)
        if f.until:
            sent.append(OutboundMessage.created_at < f.end)
            solved.append(CaseOutcome.resolved_at < f.end)
        # COUNT(DISTINCT) sorts every message; counting a DISTINCT subquery lets
        # PostgreSQL hash them (half the time on 100,000 messages; same count).
        recipients = (
            select(OutboundMessage.recipient_id)
            .where(*sent, OutboundMessage.recipient_id.is_not(None))
            .distinct()
            .subquery()
        )
        written = self.session.execute(select(func.count()).select_from(recipients)).scalar_one()
        resolved = self.session.execute(
            select(func.count(CaseOutcome.id)).where(*solved)
        ).scalar_one()
        return CostSummary(counts, round(cost, 6), int(written or 0), int(resolved or 0))
