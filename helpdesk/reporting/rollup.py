"""The dashboard's daily rollups: every figure's counts per UTC day and per use case,
language and queue (``report_counts``), and each handed-off ticket's durations
(``report_ticket_times``), so a view sums a few thousand rows instead of reading every
case, message and file.

The rollups are computed by the same row-by-row queries the dashboard used before (over a
range of days instead of the filters), so they hold exactly the same figures.
``refresh`` keeps them current from a watermark: rows written or changed since the last
refresh (tickets, outcomes and ratings, inbox messages, files and their analyses,
outbound messages and identities) name the days and the figures they change (``changed``;
a new ticket also changes the use case of its customer's earlier files). Deleting rows
leaves no trace to find, and a customer's language is rewritten in place, so erasure, the
retention purge and ``helpdesk.customers`` mark the days first (``marks``): every figure
of those days is recomputed at the next refresh. Aggregates only: no sender id, phone
number or text is kept, so erasure has nothing to delete here.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session

from helpdesk.db.models import (
    CaseOutcome,
    InboxMessage,
    MediaRecord,
    OutboundMessage,
    ReportCount,
    ReportDirtyDay,
    ReportState,
    ReportTicketTime,
    Ticket,
    WhatsAppIdentity,
)
from helpdesk.db.models.base import utcnow
from helpdesk.db.rollup_marks import CHUNK, day
from helpdesk.reporting import cases, media, signals
from helpdesk.reporting.filters import Filters
from helpdesk.reporting.times import BusinessClock
from helpdesk.whatsapp.pricing import market_of

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
    rows = session.execute(
        select(
            when,
            OutboundMessage.recipient_id,
            OutboundMessage.category,
            func.count(OutboundMessage.id),
            WhatsAppIdentity.phone,
            WhatsAppIdentity.user_id,
        )
        .outerjoin(WhatsAppIdentity, WhatsAppIdentity.key == OutboundMessage.recipient_id)
        .where(
            OutboundMessage.billable.is_(True),
            OutboundMessage.created_at >= f.start,
            OutboundMessage.created_at < f.end,
        )
        .group_by(
            when,
            OutboundMessage.recipient_id,
            OutboundMessage.category,
            WhatsAppIdentity.phone,
            WhatsAppIdentity.user_id,
        )
    )
    found: dict[tuple[str, str | None, str], int] = defaultdict(int)
    for d, key, category, n, phone, user_id in rows:
        market = market_of(phone=phone or (None if user_id else key), user_id=user_id or key)
        found[str(d), category, market] += int(n)
    for (d, category, market), n in found.items():
        yield _count(Part.BILL, d, None, None, None, n, category, market)


def _times(
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
        _insert(session, ReportTicketTime, _times(session, Filters(), clock, ids=part))


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
        _insert(session, ReportTicketTime, _times(session, f, clock))


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


def _latest(*moments: Any) -> datetime:
    return max(m for m in moments if m is not None)


def changed(
    session: Session,
    *,
    since: datetime,
    upto: datetime,
    skip: frozenset[tuple] = frozenset(),
    seen: set[tuple] | None = None,
) -> tuple[dict[str, set[str]], list[int]]:
    """The days each group must recompute for the rows written or changed from ``since``
    up to ``upto``: a ticket changes its day's cases, signals and times, the ratings of
    its outcomes and the use case of its customer's files; an outcome its day's bot case,
    its rating's day and its customer's files; a message, a file or an outbound message
    its own day; an identity its outbound messages' markets. Also the changed tickets.
    Rows whose key (table, id, change times, latest change last) is in ``skip`` were
    counted already and are left out; ``seen`` collects the keys of the others."""
    found: dict[str, set[str]] = {group: set() for group in GROUPS}
    seen = set() if seen is None else seen

    def window(*columns: Any) -> Any:
        return or_(*((column >= since) & (column < upto) for column in columns))

    def new(key: tuple) -> bool:
        if key in skip:
            return False
        seen.add(key)
        return True

    tickets = [
        (ticket_id, sender, d)
        for ticket_id, sender, d, at in session.execute(
            select(
                Ticket.id, Ticket.sender_id, day(session, Ticket.opened_at), Ticket.updated_at
            ).where(window(Ticket.updated_at))
        )
        if new(("ticket", ticket_id, at))
    ]
    found[CASES].update(str(d) for _, _, d in tickets)
    owners = {sender for _, sender, _ in tickets}
    ids = [ticket_id for ticket_id, _, _ in tickets]
    for start in range(0, len(ids), CHUNK):
        rated = select(day(session, CaseOutcome.rated_at)).where(
            CaseOutcome.ticket_id.in_(ids[start : start + CHUNK]), CaseOutcome.rated_at.is_not(None)
        )
        found[RATINGS].update(str(d) for (d,) in session.execute(rated.distinct()))
    for outcome_id, sender, solved, rated, solved_at, rated_at in session.execute(
        select(
            CaseOutcome.id,
            CaseOutcome.sender_id,
            day(session, CaseOutcome.resolved_at),
            day(session, CaseOutcome.rated_at),
            CaseOutcome.resolved_at,
            CaseOutcome.rated_at,
        ).where(window(CaseOutcome.resolved_at, CaseOutcome.rated_at))
    ):
        if not new(("outcome", outcome_id, solved_at, rated_at, _latest(solved_at, rated_at))):
            continue
        owners.add(sender)
        found[CASES].add(str(solved))
        if rated is not None:
            found[RATINGS].add(str(rated))
    for group, model, column, moments in (
        (TALK, InboxMessage, InboxMessage.received_at, (InboxMessage.received_at,)),
        (
            MEDIA,
            MediaRecord,
            MediaRecord.created_at,
            (MediaRecord.created_at, MediaRecord.analysed_at),
        ),
        (
            BILLS,
            OutboundMessage,
            OutboundMessage.created_at,
            (OutboundMessage.created_at, OutboundMessage.updated_at),
        ),
    ):
        query = select(model.id, day(session, column), *moments).where(window(*moments))
        for row_id, d, *at in session.execute(query):
            if new((model.__tablename__, row_id, *at, _latest(*at))):
                found[group].add(str(d))
    keys = [
        k
        for k, at in session.execute(
            select(WhatsAppIdentity.key, WhatsAppIdentity.updated_at).where(
                window(WhatsAppIdentity.updated_at)
            )
        )
        if new(("identity", k, at))
    ]
    for group, senders, column, owner in (
        (MEDIA, sorted(owners), MediaRecord.created_at, MediaRecord.sender_id),
        (BILLS, keys, OutboundMessage.created_at, OutboundMessage.recipient_id),
    ):
        for start in range(0, len(senders), CHUNK):
            query = select(day(session, column)).where(owner.in_(senders[start : start + CHUNK]))
            found[group].update(str(d) for (d,) in session.execute(query.distinct()))
    return found, ids


COMPUTE = {CASES: _cases, TALK: _talks, RATINGS: _ratings, MEDIA: _media, BILLS: _bills}
