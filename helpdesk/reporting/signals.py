"""Authenticity signals on handed-off cases, counted once: the dashboard's "Authenticity
signals" table and ``helpdesk_authenticity_signals`` on ``/metrics`` both come from here.

A case's signals are its ticket's flags (written at handoff by
``helpdesk.media.authenticity.case``: its media's signals and the claim checked against
what the media read), each signal once per ticket, by code and severity (flags from before
the severity was written count as ``unknown``). The ticket's day, use case, language and
queue are the case's, so every dashboard filter applies.
"""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.db.models import Ticket
from helpdesk.media.authenticity.case import FLAG_PREFIX
from helpdesk.reporting.cases import BOT_QUEUE, day, ticket_where
from helpdesk.reporting.filters import Filters

# "authenticity: amount_mismatch [strong] — …"
_FLAG = re.compile(r"^" + re.escape(FLAG_PREFIX) + r"([a-z0-9_]+)(?: \[([a-z]+)\])?")
Key = tuple[str, str, str, str, str, str]  # day, use case, language, queue, code, severity


def by_day(session: Session, f: Filters) -> Counter[Key]:
    """Signals per (day, use case, language, queue, code, severity) on the tickets the
    filters select."""
    counts: Counter[Key] = Counter()
    if f.queue == BOT_QUEUE:  # the bot's cases have no ticket, hence no flags
        return counts
    rows = session.execute(
        select(
            day(session, Ticket.opened_at),
            Ticket.use_case,
            Ticket.language,
            Ticket.queue,
            Ticket.flags,
        ).where(*ticket_where(f))
    )
    for when, use_case, language, queue, flags in rows:
        seen = set()
        for flag in flags or []:
            found = _FLAG.match(str(flag))
            if found is not None:
                seen.add((found.group(1), found.group(2) or "unknown"))
        for code, severity in seen:
            counts[str(when), use_case, language, queue, code, severity] += 1
    return counts


def totals(counts: Counter[Key]) -> Counter[tuple[str, str, str]]:
    """(use case, code, severity) → signals, summed over the days."""
    found: Counter[tuple[str, str, str]] = Counter()
    for (_day, use_case, _language, _queue, code, severity), n in counts.items():
        found[use_case, code, severity] += n
    return found
