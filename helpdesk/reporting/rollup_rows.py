"""The rows of the dashboard's daily rollups: what each part of ``report_counts`` holds
(``Part``), the groups recomputed together (``GROUPS``), and each group's rows (``COMPUTE``)
and the tickets' durations (``ticket_times``), computed by the row-by-row queries the
dashboard used before, over a range of days instead of the filters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from helpdesk.db.models import OutboundMessage, Ticket
from helpdesk.db.rollup_marks import day
from helpdesk.reporting import cases, media, signals
from helpdesk.reporting.filters import Filters
from helpdesk.reporting.times import BusinessClock
from helpdesk.whatsapp.pricing import billable_counts, recipient_market


class Part:
    """``report_counts.part``; ``a``/``b``/``c`` per part."""

    CASE = "case"  # a: bot (0/1), b: handoff reason, c: resolved + first contact ("11")
    VOLUME = "volume"  # a: bot (0/1): the cases only, fewer rows for the daily tables
    TALK = "talk"  # language only: customers who wrote that day
    RATING = "rating"  # a: agent, b: score
    FILE = "file"  # a: state (accepted, refused, not analysed)
    REFUSAL = "refusal"  # a: reason
    SIGNAL = "signal"  # a: code, b: severity
    BILL = "bill"  # a: category, b: market (billable messages)


# What is recomputed together (one row-by-row pass each), and the parts it writes.
CASES, TALK, RATINGS, MEDIA, BILLS = "cases", "talk", "ratings", "media", "bills"
GROUPS: dict[str, tuple[str, ...]] = {
    CASES: (Part.CASE, Part.VOLUME, Part.SIGNAL),  # and report_ticket_times
    TALK: (Part.TALK,),
    RATINGS: (Part.RATING,),
    MEDIA: (Part.FILE, Part.REFUSAL),
    BILLS: (Part.BILL,),
}


def hours_key(clock: BusinessClock) -> str:
    """Which business hours the stored business durations were counted in."""
    spans = ";".join(",".join(f"{s}-{e}" for s, e in day) for day in clock.days)
    return f"{clock.zone.key}|{spans}"[:128]


def _count(part: str, day: str, u: Any, lang: Any, q: Any, n: int, *keys: Any) -> dict:
    a, b, c = (*(None if k is None else str(k) for k in keys), None, None, None)[:3]
    return {
        "part": part, "day": day, "use_case": u, "language": lang, "queue": q,
        "a": a, "b": b, "c": c, "n": int(n),
    }  # fmt: skip


def _cases(session: Session, f: Filters) -> Iterator[dict]:
    volume: dict[tuple[str, str, str, str, int], int] = defaultdict(int)
    for d, u, lang, q, bot, reason, resolved, first, n in cases.counted(session, f):
        yield _count(Part.CASE, d, u, lang, q, n, int(bot), reason, f"{resolved}{first}")
        volume[d, u, lang, q, int(bot)] += int(n)
    for (d, u, lang, q, bot), n in volume.items():
        yield _count(Part.VOLUME, d, u, lang, q, n, bot)
    for (d, u, lang, q, code, severity), n in signals.by_day(session, f).items():
        yield _count(Part.SIGNAL, d, u, lang, q, n, code, severity)


def _talks(session: Session, f: Filters) -> Iterator[dict]:
    for d, lang, n in cases.conversations_by_day(session, f):
        yield _count(Part.TALK, d, None, lang, None, n)


def _ratings(session: Session, f: Filters) -> Iterator[dict]:
    for d, u, lang, q, agent, score, n in cases.ratings_by_day(session, f):
        yield _count(Part.RATING, d, u, lang, q, n, agent, score)


def _media(session: Session, f: Filters) -> Iterator[dict]:
    files = media.by_day(session, f)
    for (d, u, lang, q, state), n in files.received.items():
        yield _count(Part.FILE, d, u, lang, q, n, state)
    for (d, u, lang, q, reason), n in files.refusals.items():
        yield _count(Part.REFUSAL, d, u, lang, q, n, reason)


def _bills(session: Session, f: Filters) -> Iterator[dict]:
    """Billable messages per day, category and market (the market as ``cost_summary``
    reads it: the identity's phone, else the recipient id)."""
    when = day(session, OutboundMessage.created_at)
    rows = session.execute(billable_counts(day=when, since=f.start, until=f.end))
    found: dict[tuple[str, str | None, str], int] = defaultdict(int)
    for d, key, category, n, phone, user_id in rows:
        found[str(d), category, recipient_market(key, phone, user_id)] += int(n)
    for (d, category, market), n in found.items():
        yield _count(Part.BILL, d, None, None, None, n, category, market)


def ticket_times(
    session: Session, f: Filters, clock: BusinessClock, *, ids: list[int] | None = None
) -> Iterator[dict]:
    """The durations of the tickets in ``f`` (or of the tickets ``ids``)."""
    key = hours_key(clock)
    chosen = [Ticket.id.in_(ids)] if ids is not None else cases.ticket_where(f)
    rows = session.execute(
        select(
            Ticket.id,
            day(session, Ticket.opened_at),
            Ticket.use_case,
            Ticket.language,
            Ticket.queue,
            cases.epoch(session, Ticket.opened_at),
            cases.epoch(session, Ticket.first_reply_at),
            cases.epoch(session, Ticket.resolved_at),
        ).where(
            *chosen,
            or_(Ticket.first_reply_at.is_not(None), Ticket.resolved_at.is_not(None)),
        )
    )
    for ticket_id, d, u, lang, q, opened, replied, resolved in rows:
        o = float(opened)
        r = None if replied is None else float(replied)
        s = None if resolved is None else float(resolved)
        yield {
            "ticket_id": ticket_id, "day": str(d), "use_case": u, "language": lang,
            "queue": q, "hours": key,
            "first_response": None if r is None else max(0.0, r - o),
            "resolution": None if s is None else max(0.0, s - o),
            "business_first_response": None if r is None else clock.between(o, r),
            "business_resolution": None if s is None else clock.between(o, s),
        }  # fmt: skip


COMPUTE = {CASES: _cases, TALK: _talks, RATINGS: _ratings, MEDIA: _media, BILLS: _bills}
