"""Recording how cases end (for first-contact resolution and satisfaction metrics)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpdesk.db import rollup_marks as marks
from helpdesk.db.models import CaseOutcome
from helpdesk.db.models.base import utcnow

SCORES = range(1, 6)


def record_resolution(
    session: Session,
    *,
    sender_id: str,
    use_case: str | None,
    resolved_by: str,
    kb_entry: str | None = None,
    fixes_tried: int = 0,
    ticket_id: int | None = None,
) -> CaseOutcome:
    """A case was solved. Solved by the bot without a person is a first-contact resolution."""
    outcome = CaseOutcome(
        sender_id=sender_id,
        use_case=use_case,
        kb_entry=kb_entry,
        resolved_by=resolved_by,
        first_contact=resolved_by == "bot",
        fixes_tried=fixes_tried,
        ticket_id=ticket_id,
    )
    session.add(outcome)
    session.flush()
    return outcome


def record_satisfaction(session: Session, *, sender_id: str, score: int) -> CaseOutcome | None:
    """Attach a 1–5 score to the customer's latest outcome; ``None`` if there is none."""
    if score not in SCORES:
        raise ValueError(f"a satisfaction score is 1 to 5, not {score}")
    outcome = session.execute(
        select(CaseOutcome)
        .where(CaseOutcome.sender_id == sender_id)
        .order_by(CaseOutcome.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if outcome is None:
        outcome = CaseOutcome(sender_id=sender_id, resolved_by="agent", first_contact=False)
        session.add(outcome)
    if outcome.rated_at is not None:  # the dashboard recounts the day of the replaced score
        marks.mark(session, [outcome.rated_at.date().isoformat()])
    outcome.satisfaction = score
    outcome.rated_at = utcnow()
    session.flush()
    return outcome


def erase(session: Session, *, sender_id: str) -> int:
    result = session.execute(delete(CaseOutcome).where(CaseOutcome.sender_id == sender_id))
    return result.rowcount or 0
