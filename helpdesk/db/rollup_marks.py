"""Days the dashboard's rollups must recompute, marked where rows are deleted or changed
in a way the rollup's watermark cannot see (erasure, the retention purge, a customer's
language). Only days are stored: no sender id or other personal data. Imports only the
models, so the writers (``helpdesk.customers``, ``erasure``, ``retention``) can call it."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, union
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from helpdesk.db.models import (
    CaseOutcome,
    InboxMessage,
    MediaRecord,
    OutboundMessage,
    ReportDirtyDay,
    Ticket,
)
from helpdesk.db.models.whatsapp import ERASED_TYPE

CHUNK = 500


def day(session: Session, column: Any) -> ColumnElement:
    """The UTC day of a timestamp, as ``YYYY-MM-DD`` text on every engine."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.date(column)


def days_of(session: Session, senders: Iterable[str]) -> set[str]:
    """Every day on which these customers have a row any figure counts."""
    found: set[str] = set()
    people = sorted(set(senders))
    query = _days_query(session.get_bind().dialect.name)
    for start in range(0, len(people), CHUNK):
        part = people[start : start + CHUNK]
        found.update(str(d) for (d,) in session.execute(query, {"people": part}) if d is not None)
    return found


@functools.cache
def _days_query(dialect: str) -> Any:
    """``days_of``'s union, built once per engine kind: a first contact runs it (a new
    customer's language), and building six selects cost more CPU than running them."""
    people = bindparam("people", expanding=True)

    def day_of(column: Any) -> ColumnElement:
        return func.to_char(column, "YYYY-MM-DD") if dialect == "postgresql" else func.date(column)

    return union(
        select(day_of(Ticket.opened_at)).where(Ticket.sender_id.in_(people)),
        select(day_of(CaseOutcome.resolved_at)).where(CaseOutcome.sender_id.in_(people)),
        select(day_of(CaseOutcome.rated_at)).where(
            CaseOutcome.sender_id.in_(people), CaseOutcome.rated_at.is_not(None)
        ),
        select(day_of(InboxMessage.received_at)).where(InboxMessage.sender_id.in_(people)),
        select(day_of(MediaRecord.created_at)).where(MediaRecord.sender_id.in_(people)),
        select(day_of(OutboundMessage.created_at)).where(OutboundMessage.recipient_id.in_(people)),
    )


def mark(session: Session, days: Iterable[str]) -> None:
    """Recompute these days (every figure) at the next refresh."""
    days = set(days)
    if not days:
        return
    # Only these days are looked up, not every dirty day (a first contact marks today).
    wanted = select(ReportDirtyDay.day).where(ReportDirtyDay.day.in_(days))
    known = {d for (d,) in session.execute(wanted)}
    new = sorted(days - known)
    if new:
        session.execute(ReportDirtyDay.__table__.insert(), [{"day": d} for d in new])


def mark_senders(session: Session, *, sender_ids: Iterable[str]) -> None:
    """Before a customer's rows are erased (or when their language changes): their days
    are recomputed at the next refresh. One statement per chunk: a first contact runs it
    in its message's claim, where looking the days up and then the marks cost two."""
    people = sorted(set(sender_ids))
    query = _mark_query(session.get_bind().dialect.name)
    for start in range(0, len(people), CHUNK):
        session.execute(query, {"people": people[start : start + CHUNK]})


@functools.cache
def _mark_query(dialect: str) -> Any:
    """``mark(days_of(...))`` as one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    days = _days_query(dialect).subquery()
    (column,) = days.c
    found = select(column).where(column.is_not(None)).distinct()
    return insert(ReportDirtyDay).from_select(["day"], found).on_conflict_do_nothing()


def mark_before(session: Session, *, limits: dict[str, datetime]) -> None:
    """Before the retention purge deletes rows older than its cutoffs (``tickets``: last
    changed; ``inbox``: inbox and outbound messages, and erasure tombstones; ``media``):
    the days of the customers they belong to are recomputed at the next refresh (a purged
    ticket also changes the use case of files sent before it). A superset is harmless."""
    queries = []
    if "tickets" in limits:
        queries.append(select(Ticket.sender_id).where(Ticket.updated_at < limits["tickets"]))
    if "inbox" in limits:
        queries.append(
            select(InboxMessage.sender_id).where(
                or_(InboxMessage.received_at < limits["inbox"], InboxMessage.type == ERASED_TYPE)
            )
        )
        queries.append(
            select(OutboundMessage.recipient_id).where(OutboundMessage.created_at < limits["inbox"])
        )
    if "media" in limits:
        queries.append(
            select(MediaRecord.sender_id).where(MediaRecord.created_at < limits["media"])
        )
    senders: set[str] = set()
    for query in queries:
        senders.update(v for (v,) in session.execute(query.distinct()))
    mark_senders(session, sender_ids=senders)
