"""The dashboard as tables: every chart is drawn from one ``Table``, which is also the
HTML table under it and its CSV export (``csv_text``)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.db.models.status import HandoffReason
from helpdesk.reporting import cases, media, rollup
from helpdesk.reporting.definitions import DEFINITIONS
from helpdesk.reporting.filters import Filters
from helpdesk.reporting.sources import ALL_QUEUES, Quantiles, Rollups, Rows
from helpdesk.reporting.times import BusinessClock
from helpdesk.settings import get_settings
from helpdesk.tickets.hours import parse as parse_hours
from helpdesk.whatsapp.pricing import CostSummary, parse_prices

REASON_WORDS = {
    HandoffReason.CUSTOMER_ASKED.value: "customer asked",
    HandoffReason.CAPTURE_FAILED.value: "capture failed",
    HandoffReason.NOTHING_FOUND.value: "triage found nothing",
    HandoffReason.SAFETY_OR_FRAUD.value: "safety or fraud",
}
MAX_FILLED_DAYS = 400  # a longer range lists only the days that have data


@dataclass(frozen=True)
class Chart:
    """``bars``: one group per row, one bar per value column (``stacked``: on top of each
    other); ``hbars``: one horizontal bar per row."""

    kind: str
    values: tuple[int, ...]
    stacked: bool = False
    rows: int | None = None  # only the first rows (the others have other units)
    unit: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: Chart | None = None
    definition: str = ""


@dataclass
class Report:
    filters: Filters
    tables: dict[str, Table] = field(default_factory=dict)
    currency: str = ""

    def table(self, key: str) -> Table:
        return self.tables[key]


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _days(f: Filters, present: set[str]) -> list[str]:
    if f.since and f.until and (f.until - f.since).days < MAX_FILLED_DAYS:
        return [
            (f.since + timedelta(days=n)).isoformat() for n in range((f.until - f.since).days + 1)
        ]
    return sorted(present)


def _wide(key: str, title: str, counts: dict[tuple[str, str], int], days: list[str]) -> Table:
    series = sorted({s for _, s in counts})
    rows = [[d, *(counts.get((d, s), 0) for s in series)] for d in days]
    chart = Chart("bars", tuple(range(1, len(series) + 1)), stacked=True) if series else None
    return Table(key, title, ["day", *series], rows, chart)


def volume_tables(
    f: Filters, rows: list[tuple[str, str, str, str, int]], talks: dict[str, int]
) -> list[Table]:
    days = _days(f, {r[0] for r in rows} | set(talks))
    total: dict[str, int] = defaultdict(int)
    bot: dict[str, int] = defaultdict(int)
    by: dict[str, dict[tuple[str, str], int]] = {n: defaultdict(int) for n in ("u", "l", "q")}
    for d, use_case, language, queue, n in rows:
        total[d] += n
        if queue == cases.BOT_QUEUE:
            bot[d] += n
        by["u"][d, use_case] += n
        by["l"][d, language] += n
        by["q"][d, queue] += n
    volume = Table(
        "volume",
        "Conversations and cases per day",
        ["day", "conversations", "cases", "solved by the bot", "handed off"],
        [[d, talks.get(d, 0), total[d], bot[d], total[d] - bot[d]] for d in days],
        Chart("bars", (1, 2)),
    )
    return [
        volume,
        _wide("cases_by_use_case", "Cases per day by use case", by["u"], days),
        _wide("cases_by_language", "Cases per day by language", by["l"], days),
        _wide("cases_by_queue", "Cases per day by queue", by["q"], days),
    ]


def outcome_tables(rows: list[tuple[int, str | None, int, int, int]]) -> list[Table]:
    everything = sum(n for *_, n in rows)
    by_bot = sum(n for b, _, _, _, n in rows if b)
    handed = everything - by_bot
    solved = sum(n for _, _, s, _, n in rows if s)
    first = sum(n for _, _, s, fc, n in rows if s and fc)
    outcomes = Table(
        "outcomes",
        "Bot containment, first-contact resolution, handoff rate",
        ["measure", "cases", "of cases", "percent"],
        [
            ["bot containment", by_bot, everything, _pct(by_bot, everything)],
            ["first-contact resolution", first, solved, _pct(first, solved)],
            ["handoff rate", handed, everything, _pct(handed, everything)],
        ],
        Chart("hbars", (3,), unit="%"),
    )
    reasons: dict[str, int] = dict.fromkeys(REASON_WORDS, 0)
    for b, reason, _, _, n in rows:
        if not b:
            key = reason or HandoffReason.CUSTOMER_ASKED.value
            reasons[key] = reasons.get(key, 0) + n
    handoffs = Table(
        "handoff_reasons",
        "Handoff reasons",
        ["reason", "handoffs", "percent of handoffs"],
        [[REASON_WORDS.get(r, r), n, _pct(n, handed)] for r, n in reasons.items()],
        Chart("hbars", (1,)),
    )
    return [outcomes, handoffs]


def time_table(groups: Quantiles, *, business: bool) -> Table:
    def row(queue: str, measure: str) -> list[Any]:
        count, median, p90 = groups.get((queue, measure), (0, None, None))
        return [
            queue,
            measure,
            count,
            None if median is None else round(median, 1),
            None if p90 is None else round(p90, 1),
        ]

    queues = [ALL_QUEUES, *sorted({q for q, _ in groups} - {ALL_QUEUES})]
    hours = " (business hours)" if business else ""
    return Table(
        "response_times",
        f"First response (from the handoff) and resolution times{hours}",
        ["queue", "measure", "tickets", "median (minutes)", "p90 (minutes)"],
        [row(q, m) for q in queues for m in ("first response", "resolution")],
        Chart("hbars", (3, 4), unit=" min"),
    )


def satisfaction_tables(rows: list[tuple[str, str, int, int]]) -> list[Table]:
    scores: dict[int, int] = dict.fromkeys(range(1, 6), 0)
    per: dict[str, dict[str, list[int]]] = {
        "queue": defaultdict(lambda: [0, 0]),
        "agent": defaultdict(lambda: [0, 0]),
    }
    for queue, agent, score, n in rows:
        if score in scores:
            scores[score] += n
        for name, value in (("queue", queue), ("agent", agent)):
            per[name][value][0] += n
            per[name][value][1] += n if score >= 4 else 0
    total = sum(scores.values())

    def csat(name: str) -> Table:
        return Table(
            f"csat_by_{name}",
            f"CSAT by {name}",
            [name, "ratings", "satisfied (4–5)", "CSAT %"],
            [[k, v[0], v[1], _pct(v[1], v[0])] for k, v in sorted(per[name].items())],
            Chart("hbars", (3,), unit="%"),
        )

    distribution = Table(
        "satisfaction",
        "Satisfaction scores",
        ["score", "ratings", "percent"],
        [[s, n, _pct(n, total)] for s, n in scores.items()],
        Chart("bars", (1,)),
    )
    return [distribution, csat("queue"), csat("agent")]


def media_tables(found: media.Files, signals: dict[tuple[str, str, str], int]) -> list[Table]:
    states: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (use_case, state), n in found.received.items():
        states[use_case][state] += n
    received = []
    for use_case, by in sorted(states.items()):
        total = sum(by.values())
        received.append(
            [use_case, total, by["accepted"], by["refused"], by[media.NOT_ANALYSED],
             _pct(by["refused"], total)]
        )  # fmt: skip
    refusals = sorted(
        ([*k, n] for k, n in found.refusals.items()), key=lambda r: (-r[2], r[0], r[1])
    )
    signal_rows = sorted(([*k, n] for k, n in signals.items()), key=lambda r: (-r[3], r[0], r[1]))
    return [
        Table(
            "media_received",
            "Media received and refused by use case",
            ["use case", "received", "accepted", "refused", "not analysed", "refused %"],
            received,
            Chart("bars", (2, 3), stacked=True),
        ),
        Table(
            "media_refusals",
            "Why media was refused, by use case",
            ["use case", "reason", "files"],
            [list(r) for r in refusals],
            Chart("hbars", (2,)),
        ),
        Table(
            "authenticity",
            "Authenticity signals",
            ["use case", "signal", "severity", "signals"],
            signal_rows,
            Chart("hbars", (3,)),
        ),
    ]


def cost_table(summary: CostSummary, *, currency: str) -> Table:
    rows: list[list[Any]] = [
        ["cost per case", round(summary.per_case, 4), currency],
        ["cost per resolved case", round(summary.per_resolved_case, 4), currency],
        ["cost", round(summary.cost, 4), currency],
        ["cases written to", summary.cases, "cases"],
        ["resolved cases", summary.resolved_cases, "cases"],
    ]
    for category, count in sorted(summary.billable_messages.items()):
        rows.append([f"billable messages: {category}", count, "messages"])
    return Table(
        "cost",
        "WhatsApp cost per case",
        ["measure", "value", "unit"],
        rows,
        Chart("hbars", (1,), rows=2, unit=f" {currency}"),
    )


def build(
    session: Session,
    f: Filters,
    *,
    only: Sequence[str] | None = None,
    rows: bool = False,
) -> Report:
    """Every table (or the ones named in ``only``) for these filters, from the daily
    rollups (brought up to date first; the caller commits), or with ``rows`` from every
    row (the rollups' reference computation: same figures, slower)."""
    settings = get_settings()
    clock = BusinessClock(parse_hours(settings.business_hours), settings.timezone)
    chosen = clock if f.business_hours else None
    if rows:
        source: Rows | Rollups = Rows(session, f, chosen)
    else:
        rollup.refresh(session, clock=clock)
        source = Rollups(session, f, chosen)
    currency = settings.whatsapp_price_currency
    parts: dict[str, Callable[[], list[Table]]] = {
        "volume": lambda: volume_tables(f, source.volume(), source.conversations()),
        "outcomes": lambda: outcome_tables(source.outcomes()),
        "times": lambda: [time_table(source.quantiles(), business=f.business_hours)],
        "satisfaction": lambda: satisfaction_tables(source.ratings()),
        "media": lambda: media_tables(source.files(), source.signals()),
        "cost": lambda: [
            cost_table(source.cost(parse_prices(settings.whatsapp_prices)), currency=currency)
        ],
    }
    report = Report(f, currency=currency)
    for name, make in parts.items():
        if only is None or name in only:
            for table in make():
                table.definition = DEFINITIONS.get(table.key, "")
                report.tables[table.key] = table
    return report


# Which part of ``build`` makes each table (a CSV export computes only that part).
PART_OF = {
    "volume": "volume", "cases_by_use_case": "volume", "cases_by_language": "volume",
    "cases_by_queue": "volume", "outcomes": "outcomes", "handoff_reasons": "outcomes",
    "response_times": "times", "satisfaction": "satisfaction", "csat_by_queue": "satisfaction",
    "csat_by_agent": "satisfaction", "media_received": "media", "media_refusals": "media",
    "authenticity": "media", "cost": "cost",
}  # fmt: skip


def _cell(value: Any) -> Any:
    # A cell a spreadsheet would run as a formula is written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def today() -> date:
    """The dashboard's days are UTC days (the timestamps are stored in UTC)."""
    return datetime.now(timezone.utc).date()
