"""Cases, as the dashboard counts them, in SQL.

A case is a handed-off ticket (dated by its handoff, ``tickets.opened_at``) or a case the
bot solved on its own (a ``case_outcomes`` row by the bot with no ticket, dated by its
resolution). Bot-solved cases have no queue: they are the pseudo-queue ``bot``, and their
language is the customer's. Every query filters each branch on its own indexed date.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import and_, case, distinct, false, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from helpdesk.db.models import Agent, CaseOutcome, Customer, InboxMessage, Ticket
from helpdesk.db.models.status import HandoffReason, TicketStatus
from helpdesk.db.rollup_marks import day
from helpdesk.media.authenticity.case import FRAUD_QUEUE
from helpdesk.reporting.filters import Filters

BOT_QUEUE = "bot"
UNKNOWN = "unknown"


def epoch(session: Session, column: Any) -> ColumnElement:
    """Seconds since 1970 (a float): durations without parsing timestamps in Python."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * 86400.0


def reason_of() -> ColumnElement:
    """The handoff reason; tickets from before it was recorded get it from the trigger."""
    derived = case(
        (Ticket.trigger == "capture_failed", HandoffReason.CAPTURE_FAILED.value),
        (
            and_(Ticket.trigger == "triage", Ticket.queue == FRAUD_QUEUE),
            HandoffReason.SAFETY_OR_FRAUD.value,
        ),
        (Ticket.trigger == "triage", HandoffReason.NOTHING_FOUND.value),
        else_=HandoffReason.CUSTOMER_ASKED.value,
    )
    return func.coalesce(Ticket.handoff_reason, derived)


def ticket_where(f: Filters) -> list[ColumnElement]:
    where = [Ticket.opened_at >= f.start, Ticket.opened_at < f.end]
    if f.use_case:
        where.append(Ticket.use_case == f.use_case)
    if f.language:
        where.append(Ticket.language == f.language)
    if f.queue:
        where.append(Ticket.queue == f.queue)
    return where


def _bot_where(f: Filters) -> list[ColumnElement]:
    where = [
        CaseOutcome.resolved_by == "bot",
        CaseOutcome.ticket_id.is_(None),
        CaseOutcome.resolved_at >= f.start,
        CaseOutcome.resolved_at < f.end,
    ]
    if f.use_case:
        # The value the tables show ("unknown" selects the cases shown as unknown).
        where.append(func.coalesce(CaseOutcome.use_case, UNKNOWN) == f.use_case)
    if f.language:
        where.append(func.coalesce(Customer.language, UNKNOWN) == f.language)
    if f.queue and f.queue != BOT_QUEUE:
        where.append(false())
    return where


def cases(session: Session, f: Filters) -> Select:
    """One row per case: day, use_case, language, queue, bot (solved by the bot), reason
    (handoff reason, NULL for the bot's), resolved, first_contact."""
    resolved = Ticket.status == TicketStatus.RESOLVED.value
    tickets = select(
        day(session, Ticket.opened_at).label("day"),
        Ticket.use_case.label("use_case"),
        Ticket.language.label("language"),
        Ticket.queue.label("queue"),
        literal(0).label("bot"),
        reason_of().label("reason"),
        case((resolved, 1), else_=0).label("resolved"),
        # One handoff and solved by it: the customer never had to come back to a person.
        case((and_(resolved, Ticket.handoffs <= 1), 1), else_=0).label("first_contact"),
    ).where(*ticket_where(f))
    if f.queue == BOT_QUEUE:
        tickets = tickets.where(false())
    bot = (
        select(
            day(session, CaseOutcome.resolved_at).label("day"),
            func.coalesce(CaseOutcome.use_case, UNKNOWN).label("use_case"),
            func.coalesce(Customer.language, UNKNOWN).label("language"),
            literal(BOT_QUEUE).label("queue"),
            literal(1).label("bot"),
            literal(None).label("reason"),
            literal(1).label("resolved"),
            literal(1).label("first_contact"),
        )
        .select_from(CaseOutcome)
        .outerjoin(Customer, Customer.sender_id == CaseOutcome.sender_id)
        .where(*_bot_where(f))
    )
    return union_all(tickets, bot).subquery("cases")


def counted(session: Session, f: Filters) -> list[tuple[Any, ...]]:
    """Cases counted in one pass: (day, use_case, language, queue, bot, reason, resolved,
    first_contact, cases)."""
    c = cases(session, f)
    columns = [c.c[name] for name in COLUMNS]
    rows = session.execute(select(*columns, func.count()).group_by(*columns))
    return [(str(row[0]), *row[1:]) for row in rows]


COLUMNS = ("day", "use_case", "language", "queue", "bot", "reason", "resolved", "first_contact")


def volume(rows: list[tuple[Any, ...]]) -> list[tuple[str, str, str, str, int]]:
    """(day, use_case, language, queue, cases) from ``counted``."""
    found: dict[tuple[str, str, str, str], int] = {}
    for d, u, lang, q, *_rest, n in rows:
        found[d, u, lang, q] = found.get((d, u, lang, q), 0) + int(n)
    return [(*k, n) for k, n in found.items()]


def outcomes(rows: list[tuple[Any, ...]]) -> list[tuple[int, str | None, int, int, int]]:
    """(bot, reason, resolved, first_contact, cases) from ``counted``."""
    found: dict[tuple[int, str | None, int, int], int] = {}
    for *_key, b, r, s, fc, n in rows:
        k = (int(b), r, int(s), int(fc))
        found[k] = found.get(k, 0) + int(n)
    return [(*k, n) for k, n in found.items()]


def conversations(session: Session, f: Filters) -> list[tuple[str, int]]:
    """(day, customers who wrote that day). Only the language filter applies: a
    conversation has no use case or queue until it becomes a case."""
    when = day(session, InboxMessage.received_at)
    query = select(when, func.count(distinct(InboxMessage.sender_id))).where(
        InboxMessage.received_at >= f.start, InboxMessage.received_at < f.end
    )
    if f.language:
        query = query.where(
            InboxMessage.sender_id.in_(
                select(Customer.sender_id).where(Customer.language == f.language)
            )
        )
    return [(str(d), int(n)) for d, n in session.execute(query.group_by(when))]


def ticket_times(
    session: Session, f: Filters
) -> list[tuple[str, float, float | None, float | None]]:
    """(queue, handoff, first agent reply, resolution) as epoch seconds, per ticket that
    has a reply or a resolution. The clock starts at the handoff: time with the bot before
    it is not a person's response time."""
    rows = session.execute(
        select(
            Ticket.queue,
            epoch(session, Ticket.opened_at),
            epoch(session, Ticket.first_reply_at),
            epoch(session, Ticket.resolved_at),
        ).where(
            *ticket_where(f),
            or_(Ticket.first_reply_at.is_not(None), Ticket.resolved_at.is_not(None)),
        )
    )
    return [
        (q, float(o), None if r is None else float(r), None if s is None else float(s))
        for q, o, r, s in rows
    ]


def ratings(session: Session, f: Filters) -> list[tuple[str, str, int, int]]:
    """(queue, agent, score, ratings) for scores given in the date range."""
    found: dict[tuple[str, str, int], int] = {}
    for _d, _u, _l, queue, agent, score, n in ratings_by_day(session, f):
        found[queue, agent, score] = found.get((queue, agent, score), 0) + n
    return [(*k, n) for k, n in found.items()]


def ratings_by_day(
    session: Session, f: Filters
) -> list[tuple[str, str | None, str | None, str, str, int, int]]:
    """(day rated, use case, language, queue, agent, score, ratings)."""
    queue = case(
        (CaseOutcome.resolved_by == "bot", BOT_QUEUE), else_=func.coalesce(Ticket.queue, UNKNOWN)
    )
    agent = case(
        (CaseOutcome.resolved_by == "bot", BOT_QUEUE),
        else_=func.coalesce(Agent.username, "(unassigned)"),
    )
    use_case = func.coalesce(Ticket.use_case, CaseOutcome.use_case)
    language = func.coalesce(Ticket.language, Customer.language)
    when = day(session, CaseOutcome.rated_at)
    query = (
        select(when, use_case, language, queue, agent, CaseOutcome.satisfaction, func.count())
        .select_from(CaseOutcome)
        .outerjoin(Ticket, Ticket.id == CaseOutcome.ticket_id)
        .outerjoin(Agent, Agent.id == Ticket.assignee_id)
        .outerjoin(Customer, Customer.sender_id == CaseOutcome.sender_id)
        .where(
            CaseOutcome.satisfaction.is_not(None),
            CaseOutcome.rated_at >= f.start,
            CaseOutcome.rated_at < f.end,
            use_case == f.use_case if f.use_case else true(),
            language == f.language if f.language else true(),
            queue == f.queue if f.queue else true(),
        )
        .group_by(when, use_case, language, queue, agent, CaseOutcome.satisfaction)
    )
    return [
        (str(d), u, lang, q, a, int(s), int(n)) for d, u, lang, q, a, s, n in session.execute(query)
    ]


def conversations_by_day(session: Session, f: Filters) -> list[tuple[str, str | None, int]]:
    """(day, the customer's language or None, customers who wrote that day) — the rollup's
    form of ``conversations`` (a customer has one language, so the languages add up)."""
    when = day(session, InboxMessage.received_at)
    query = (
        select(when, Customer.language, func.count(distinct(InboxMessage.sender_id)))
        .select_from(InboxMessage)
        .outerjoin(Customer, Customer.sender_id == InboxMessage.sender_id)
        .where(InboxMessage.received_at >= f.start, InboxMessage.received_at < f.end)
        .group_by(when, Customer.language)
    )
    return [(str(d), lang, int(n)) for d, lang, n in session.execute(query)]


_CHOICES: dict[str, tuple[float, dict[str, list[str]]]] = {}
CHOICES_SECONDS = 300.0


def choices(session: Session) -> dict[str, list[str]]:
    """The values the filters offer (from the tickets, plus the bot's pseudo-queue). Three
    scans of every ticket: kept for ``CHOICES_SECONDS`` per database (a new queue shows up
    in the list within minutes; typing it in the query string works at once)."""
    key = str(session.get_bind().url)
    cached = _CHOICES.get(key)
    if cached and time.monotonic() - cached[0] < CHOICES_SECONDS:
        return cached[1]
    found = _choices(session)
    _CHOICES[key] = (time.monotonic(), found)
    return found


def _choices(session: Session) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, column in (
        ("use_case", Ticket.use_case),
        ("language", Ticket.language),
        ("queue", Ticket.queue),
    ):
        found[name] = [v for (v,) in session.execute(select(distinct(column))) if v]
    found["use_case"] = sorted(
        {
            *found["use_case"],
            *(v for (v,) in session.execute(select(distinct(CaseOutcome.use_case))) if v),
        }
    )
    found["language"] = sorted(found["language"])
    found["queue"] = sorted({*found["queue"], BOT_QUEUE})
    return found
