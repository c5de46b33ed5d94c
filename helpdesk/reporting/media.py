"""Media received and refused (and why) by use case, language, queue and the UTC
day the file arrived, in SQL on SQLite and PostgreSQL (authenticity signals are counted
on the cases, in ``signals``).

A file's use case is the one of the case it was sent for: the customer's first ticket
opened at or after the file arrived, else the first case the bot solved after it
("no case" when neither exists yet). Refused: the analysis did not accept it; its reasons
are the analysis's blocking problems (``too_dark``, ``blurry``, ``no_text``…).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from helpdesk.reporting.cases import BOT_QUEUE
from helpdesk.reporting.filters import Filters

NO_CASE = "no case"
NOT_ANALYSED = "not analysed"

# The file with the case it belongs to: use case, queue, language, accepted ("1", "0" or
# NULL when never analysed). ``{accepted}`` is the engine's JSON read.
_BASE = """
SELECT m.id AS id, m.analysis AS analysis, {day} AS day,
       COALESCE(t.use_case, b.use_case, '{no_case}') AS use_case,
       COALESCE(t.queue, CASE WHEN b.use_case IS NOT NULL THEN '{bot}' END, '{no_case}') AS queue,
       COALESCE(t.language, c.language, 'unknown') AS language,
       {accepted} AS accepted
FROM media m
LEFT JOIN customers c ON c.sender_id = m.sender_id
LEFT JOIN tickets t ON t.id = (
    SELECT t2.id FROM tickets t2
    WHERE t2.sender_id = m.sender_id AND t2.opened_at >= m.created_at
    ORDER BY t2.opened_at LIMIT 1)
LEFT JOIN case_outcomes b ON t.id IS NULL AND b.id = (
    SELECT b2.id FROM case_outcomes b2
    WHERE b2.sender_id = m.sender_id AND b2.resolved_by = 'bot' AND b2.ticket_id IS NULL
      AND b2.resolved_at >= m.created_at
    ORDER BY b2.resolved_at LIMIT 1)
WHERE m.source = 'whatsapp' AND m.created_at >= :start AND m.created_at < :end
"""

# The engines' JSON reads; the lists come back as JSON text, counted in Python.
_ENGINE = {
    "sqlite": {
        "accepted": "json_extract(m.analysis, '$.accepted')",
        "day": "date(m.created_at)",
        "problems_of": "json_extract(f.analysis, '$.problems')",
    },
    "postgresql": {
        "accepted": "CASE (m.analysis->>'accepted') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
        "day": "to_char(m.created_at, 'YYYY-MM-DD')",
        "problems_of": "(f.analysis->'problems')::text",
    },
}


Dims = tuple[str, str, str, str]  # day, use case, language, queue


@dataclass
class Files:
    received: dict[tuple[str, str], int]  # (use case, state) → files
    refusals: dict[tuple[str, str], int]  # (use case, reason) → files


@dataclass
class FilesByDay:
    received: dict[tuple[str, str, str, str, str], int]  # (*Dims, state) → files
    refusals: dict[tuple[str, str, str, str, str], int]  # (*Dims, reason) → files

    def totals(self) -> Files:
        found = Files(defaultdict(int), defaultdict(int))
        for (_d, use_case, _l, _q, state), n in self.received.items():
            found.received[use_case, state] += n
        for (_d, use_case, _l, _q, reason), n in self.refusals.items():
            found.refusals[use_case, reason] += n
        return found


def _files(session: Session, f: Filters) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """(the files as a FROM item ``f``, the filters' condition on them, parameters, the
    engine's JSON expressions)."""
    engine = _ENGINE.get(session.get_bind().dialect.name, _ENGINE["sqlite"])
    base = _BASE.format(
        no_case=NO_CASE, bot=BOT_QUEUE, accepted=engine["accepted"], day=engine["day"]
    )
    where, params = ["1 = 1"], {"start": f.start, "end": f.end}
    for name in ("use_case", "language", "queue"):
        value = getattr(f, name)
        if value:
            where.append(f"f.{name} = :{name}")
            params[name] = value
    return f"({base}) f", " AND ".join(where), params, engine


def files(session: Session, f: Filters) -> Files:
    return by_day(session, f).totals()


def by_day(session: Session, f: Filters) -> FilesByDay:
    """Received, refused and why, per day and dimension, in one pass over the files (each
    file's case is looked up once)."""
    base, where, params, engine = _files(session, f)
    state = "CASE f.accepted WHEN 1 THEN 'accepted' WHEN 0 THEN 'refused' ELSE :none END"
    rows = session.execute(
        text(
            f"SELECT f.day, f.use_case, f.language, f.queue, {state}, {engine['problems_of']} "
            f"FROM {base} WHERE {where}"
        ),
        {**params, "none": NOT_ANALYSED},
    )
    found = FilesByDay(defaultdict(int), defaultdict(int))
    for when, use_case, language, queue, state_, problems in rows:
        dims = (str(when), use_case, language, queue)
        found.received[(*dims, state_)] += 1
        if state_ == "refused":
            for problem in _list(problems):
                if problem.get("severity") == "error" and problem.get("code"):
                    found.refusals[(*dims, str(problem["code"]))] += 1
    return found


def _list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
