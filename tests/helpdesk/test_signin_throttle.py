"""Defect 9: failed sign-ins are throttled per source and per account, but a stranger
failing from anywhere cannot keep the real agent (with the right password, from a source
that never failed) out."""

from __future__ import annotations

import pytest

from helpdesk.console.agents import add_agent, authenticate
from helpdesk.db import session_scope
from helpdesk.errors import AuthError, LockedOut

PASSWORD = "the-right-long-password"


def _try(username: str, password: str, ip: str) -> str:
    with session_scope() as session:
        try:
            authenticate(session, username=username, password=password, ip=ip)
            return "ok"
        except LockedOut:
            return "locked"
        except AuthError:
            return "wrong"


@pytest.fixture
def admin(database_url: str) -> str:
    with session_scope() as session:
        add_agent(session, username="admin", password=PASSWORD, role="admin")
    return "admin"


def test_failures_from_many_sources_do_not_lock_out_the_right_password(admin: str) -> None:
    for n in range(40):  # far past the limit, one try from each of many addresses
        assert _try(admin, f"guess-{n}", ip=f"203.0.113.{n}") in ("wrong", "locked")
    assert _try(admin, PASSWORD, ip="198.51.100.7") == "ok"


def test_a_source_that_keeps_failing_is_stopped_even_with_the_right_password(admin: str) -> None:
    for n in range(5):
        assert _try(admin, f"guess-{n}", ip="203.0.113.9") == "wrong"
    assert _try(admin, PASSWORD, ip="203.0.113.9") == "locked"
    assert _try(admin, PASSWORD, ip="198.51.100.7") == "ok"  # the agent's own desk


def test_under_attack_each_failing_source_gets_one_guess(admin: str) -> None:
    for n in range(15):
        _try(admin, f"guess-{n}", ip=f"203.0.113.{n}")
    assert _try(admin, "guess-again", ip="203.0.113.3") == "locked"  # tried before
