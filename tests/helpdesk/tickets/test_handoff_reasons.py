"""What the dashboard reads from the ticket lifecycle: why each handoff happened, how many
handoffs a case took, and an agent's resolution as the outcome the score attaches to."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.db import session_scope
from helpdesk.db.models import CaseOutcome
from helpdesk.outcomes import record_satisfaction
from helpdesk.tickets import core


def _open(session, sender: str, **extra):
    options = {"use_case": "damaged_product", "queue": "returns", "trigger": "customer_request"}
    return core.open_ticket(session, sender_id=sender, **{**options, **extra})


def test_each_handoff_says_why(database_url: str) -> None:
    with session_scope(database_url) as session:
        assert _open(session, "1").handoff_reason == "customer_asked"
        assert _open(session, "2", trigger="capture_failed").handoff_reason == "capture_failed"
        assert _open(session, "3", trigger="triage").handoff_reason == "nothing_found"
        fraud = _open(session, "4", trigger="triage", queue="fraud_review")
        assert fraud.handoff_reason == "safety_or_fraud"
        safety = _open(session, "5", trigger="triage", reason="safety_or_fraud")
        assert safety.handoff_reason == "safety_or_fraud"
        assert _open(session, "6", reason="made up").handoff_reason == "customer_asked"


def test_a_second_handoff_is_counted(database_url: str) -> None:
    with session_scope(database_url) as session:
        ticket = _open(session, "7")
        core.hand_back(session, ticket_id=ticket.id)
        again = _open(session, "7", trigger="capture_failed")
        assert again.id == ticket.id
        assert (again.handoffs, again.handoff_reason) == (2, "capture_failed")


def test_the_score_after_an_agent_resolves_counts_for_that_ticket(database_url: str) -> None:
    with session_scope(database_url) as session:
        ticket = _open(session, "8")
        core.close_ticket(session, ticket_id=ticket.id, resolved=True)
        core.close_ticket(session, ticket_id=ticket.id, resolved=True)  # a repeat: no twin
        record_satisfaction(session, sender_id="8", score=5)
        outcomes = session.execute(select(CaseOutcome)).scalars().all()
        assert [(o.ticket_id, o.resolved_by, o.satisfaction) for o in outcomes] == [
            (ticket.id, "agent", 5)
        ]
        closed = _open(session, "9")
        core.close_ticket(session, ticket_id=closed.id, resolved=False)
        assert (
            session.execute(select(CaseOutcome).where(CaseOutcome.sender_id == "9")).first() is None
        )
