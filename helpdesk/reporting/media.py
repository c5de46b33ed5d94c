"""Media received and refused (and why) by use case, and the authenticity signals the
analyses stored (``analysis.authenticity.signals``), in SQL on SQLite and PostgreSQL.

A file's use case is the one of the case it was sent for: the customer's first ticket
opened at or after the file arrived, else the first case the bot solved after it
("no case" when neither exists yet). Refused: the analysis did not accept it; its reasons
are the analysis's blocking problems (``too_dark``, ``blurry``, ``no_text``…).
"""

from __future__ import annotations

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
SELECT m.id AS id, m.analysis AS analysis,
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

_ENGINE = {
    "sqlite": {
        "accepted": "json_extract(m.analysis, '$.accepted')",
        "problems": "json_each(f.analysis, '$.problems') p",
        "problem": "json_extract(p.value, '$.code')",
        "severity": "json_extract(p.value, '$.severity')",
        "signals": "json_each(f.analysis, '$.authenticity.signals') p",
    },
    "postgresql": {
        "accepted": "CASE (m.analysis->>'accepted') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
        "problems": "json_array_elements(CASE json_typeof(f.analysis->'problems') "
        "WHEN 'array' THEN f.analysis->'problems' ELSE '[]' END) p",
        "problem": "p.value->>'code'",
        "severity": "p.value->>'severity'",
        "signals": "json_array_elements(CASE json_typeof(f.analysis->'authenticity'->'signals') "
        "WHEN 'array' THEN f.analysis->'authenticity'->'signals' ELSE '[]' END) p",
    },
}


def _files(session: Session, f: Filters) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """(the files as a FROM item ``f``, the filters' condition on them, parameters, the
    engine's JSON expressions)."""
    engine = _ENGINE.get(session.get_bind().dialect.name, _ENGINE["sqlite"])
    base = _BASE.format(no_case=NO_CASE, bot=BOT_QUEUE, accepted=engine["accepted"])
    where, params = ["1 = 1"], {"start": f.start, "end": f.end}
    for name in ("use_case", "language", "queue"):
        value = getattr(f, name)
        if value:
            where.append(f"f.{name} = :{name}")
            params[name] = value
    return f"({base}) f", " AND ".join(where), params, engine


def received(session: Session, f: Filters) -> list[tuple[str, str, int]]:
    """(use_case, state, files): state ``accepted``, ``refused`` or ``not analysed``."""
    files, where, params, _ = _files(session, f)
    state = "CASE f.accepted WHEN 1 THEN 'accepted' WHEN 0 THEN 'refused' ELSE :none END"
    rows = session.execute(
        text(f"SELECT f.use_case, {state}, COUNT(*) FROM {files} WHERE {where} GROUP BY 1, 2"),
        {**params, "none": NOT_ANALYSED},
    )
    return [(u, s, int(n)) for u, s, n in rows]


def refusals(session: Session, f: Filters) -> list[tuple[str, str, int]]:
    """(use_case, reason, files refused for it) — a file refused for two reasons counts
    once for each."""
    files, where, params, engine = _files(session, f)
    rows = session.execute(
        text(
            f"SELECT f.use_case, {engine['problem']}, COUNT(*) FROM {files}, {engine['problems']} "
            f"WHERE {where} AND f.accepted = 0 AND {engine['severity']} = 'error' GROUP BY 1, 2"
        ),
        params,
    )
    return [(u, str(r), int(n)) for u, r, n in rows if r]


def signals(session: Session, f: Filters) -> list[tuple[str, str, str, int]]:
    """(use_case, code, severity, signals) of the files' authenticity checks."""
    files, where, params, engine = _files(session, f)
    code = engine["problem"]
    severity = engine["severity"]
    rows = session.execute(
        text(
            f"SELECT f.use_case, {code}, {severity}, COUNT(*) FROM {files}, {engine['signals']} "
            f"WHERE {where} GROUP BY 1, 2, 3"
        ),
        params,
    )
    return [(u, str(c), str(s), int(n)) for u, c, s, n in rows if c]
