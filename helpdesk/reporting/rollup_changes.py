"""Which days of the rollups the rows written or changed in a window touch (``changed``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from helpdesk.db.models import (
    CaseOutcome,
    InboxMessage,
    MediaRecord,
    OutboundMessage,
    Ticket,
    WhatsAppIdentity,
)
from helpdesk.db.rollup_marks import CHUNK, day
from helpdesk.reporting.rollup_rows import BILLS, CASES, GROUPS, MEDIA, RATINGS, TALK


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
