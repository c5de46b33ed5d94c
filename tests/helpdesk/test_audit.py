"""The audit trail's records: sign-ins, agent changes, erasures, purges, views; erasure
takes the customer's key out of it, retention ages it out, the CSV cannot run formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk import audit, erasure, retention
from helpdesk.audit import AuditAction
from helpdesk.cli import main
from helpdesk.console.agents import add_agent, authenticate, set_active, set_role
from helpdesk.customers import record_customer_seen
from helpdesk.db import session_scope
from helpdesk.db.models import AuditEvent
from helpdesk.db.models.base import utcnow
from helpdesk.errors import AuthError, LockedOut

PASSWORD = "correct horse battery"


def _trail(**filters) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        return [(e.actor, e.action, e.target) for e in audit.events(session, **filters)][::-1]


def test_sign_ins_are_recorded_with_their_outcome(database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("HELPDESK_LOGIN_MAX_FAILURES", "2")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    with session_scope() as session:
        add_agent(session, username="alice", password=PASSWORD)
    with session_scope() as session:
        authenticate(session, username="alice", password=PASSWORD, ip="10.0.0.1")
    for _ in range(2):
        with pytest.raises(AuthError), session_scope() as session:
            try:
                authenticate(session, username="alice", password="wrong", ip="10.0.0.9")
            finally:
                session.commit()
    with pytest.raises(LockedOut), session_scope() as session:
        try:
            authenticate(session, username="alice", password=PASSWORD, ip="10.0.0.9")
        finally:
            session.commit()
    with session_scope() as session:
        rows = [(e.actor, e.action, e.ip) for e in audit.events(session)][::-1]
    assert rows == [
        ("cli", "agent_created", None),
        ("alice", "sign_in", "10.0.0.1"),
        ("alice", "sign_in_failed", "10.0.0.9"),
        ("alice", "sign_in_failed", "10.0.0.9"),
        ("alice", "sign_in_locked", "10.0.0.9"),
    ]


def test_agent_changes_name_who_made_them(database_url: str) -> None:
    with session_scope() as session:
        add_agent(session, username="root", password=PASSWORD, role="admin")
        add_agent(session, username="bob", password=PASSWORD, by="root")
        set_role(session, username="bob", role="admin", by="root")
        set_active(session, username="bob", active=False, by="root")
    assert main(["agent", "enable", "bob"]) == 0
    assert main(["agent", "role", "bob", "agent"]) == 0
    assert _trail() == [
        ("cli", "agent_created", "agent root"),
        ("root", "agent_created", "agent bob"),
        ("root", "agent_role", "agent bob"),
        ("root", "agent_disabled", "agent bob"),
        ("cli", "agent_enabled", "agent bob"),
        ("cli", "agent_role", "agent bob"),
    ]
    with session_scope() as session:
        detail = audit.events(session, action="agent_role")[0].detail
    assert detail == '{"from": "admin", "to": "agent"}'


def test_erasure_is_recorded_and_takes_the_customer_out_of_the_trail(database_url: str) -> None:
    with session_scope() as session:
        record_customer_seen(session, sender_id="34600000001", language="es")
        audit.ticket_viewed(
            session, actor="alice", actor_id=1, ticket_id=7, sender_id="34600000001"
        )
        audit.ticket_viewed(
            session, actor="alice", actor_id=1, ticket_id=8, sender_id="34600000002"
        )
    report = erasure.erase_customer(sender_id="34600000001")
    assert report.deleted["helpdesk.audit:erase"] == 1
    with session_scope() as session:
        left = {e.target: e.sender_id for e in audit.events(session, action="ticket_view")}
        erased = audit.events(session, action="erasure")
    # The view stays (who opened ticket 7), whose ticket it was does not.
    assert left == {"ticket 7": None, "ticket 8": "34600000002"}
    assert [(e.actor, e.target) for e in erased] == [
        ("customer", f"subject {report.subject_hash[:16]}")
    ]
    assert "34600000001" not in (erased[0].detail or "")


def test_repeated_views_of_a_ticket_count_once(database_url: str) -> None:
    with session_scope() as session:
        for _ in range(3):
            audit.ticket_viewed(session, actor="alice", actor_id=1, ticket_id=7, sender_id="1")
            session.flush()
        audit.ticket_viewed(session, actor="bob", actor_id=2, ticket_id=7, sender_id="1")
    assert _trail(action="ticket_view") == [
        ("alice", "ticket_view", "ticket 7"),
        ("bob", "ticket_view", "ticket 7"),
    ]


def test_purge_ages_the_trail_out_and_is_itself_recorded(database_url: str) -> None:
    old = utcnow() - timedelta(days=800)
    with session_scope() as session:
        session.add(AuditEvent(at=old, actor="alice", action="sign_in"))
        audit.record(session, action=AuditAction.SIGN_IN, actor="bob")
    assert retention.purge(dry_run=True).counts["audit"] == 1
    assert len(_trail()) == 2  # a dry run deletes nothing and is not recorded
    assert main(["purge"]) == 0
    assert [(a, b) for a, b, _ in _trail()] == [("bob", "sign_in"), ("cli", "purge")]
    with session_scope() as session:
        purge = audit.events(session, action="purge")[0]
    assert '"audit": 1' in (purge.detail or "")


def test_every_kind_of_personal_data_has_a_purge_and_every_step_an_eraser() -> None:
    kinds = {step.kind for step in erasure.REGISTRY if step.kind}
    assert kinds <= set(retention.PURGES)
    assert set(retention.PURGES) | {"transcripts"} == set(retention.KINDS)
    assert all(callable(step.erase) for step in erasure.REGISTRY)


def test_filters_and_a_csv_that_runs_no_formula(database_url: str) -> None:
    with session_scope() as session:
        audit.record(session, action=AuditAction.SIGN_IN_FAILED, actor="=HYPERLINK(1)", ip="x")
        audit.record(session, action=AuditAction.SIGN_IN, actor="alice")
        old = AuditEvent(at=utcnow() - timedelta(days=3), actor="alice", action="sign_in")
        session.add(old)
    with session_scope() as session:
        assert len(audit.events(session, actor="alice")) == 2
        assert len(audit.events(session, since=utcnow() - timedelta(days=1))) == 2
        assert len(audit.events(session, until=utcnow() - timedelta(days=1))) == 1
        rows = list(csv.DictReader(io.StringIO(audit.events_csv(audit.events(session)))))
        assert session.execute(select(AuditEvent.id)).first() is not None
    assert [r["actor"] for r in rows] == ["alice", "'=HYPERLINK(1)", "alice"]
    assert list(rows[0]) == list(audit.CSV_COLUMNS)
