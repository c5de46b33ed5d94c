"""Agents of the console: argon2 password hashes, roles, sign-in throttling, API tokens.

Failed sign-ins are kept in the database (``login_attempts``) so the limit holds across
console processes and restarts. Within ``HELPDESK_LOGIN_LOCKOUT_SECONDS`` a source (IP) is
refused after ``HELPDESK_LOGIN_MAX_FAILURES`` failures for one username, or three times as
many for any usernames (a password spray). An account under attack (three times the limit
from anywhere) is throttled per source: a source that already failed for it is refused,
while a source that never failed may still sign in with the right password, so nobody can
keep an agent out by failing from elsewhere. While refused, even the right password is
refused, and the answer does not say whether the username exists.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from helpdesk import audit
from helpdesk.audit import AuditAction
from helpdesk.db.models import Agent, ApiToken, LoginAttempt
from helpdesk.db.models.base import utcnow
from helpdesk.errors import AuthError, LastAdmin, LockedOut
from helpdesk.settings import get_settings

ROLES = ("agent", "admin")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so timing does not reveal which exist
    (made on first use: hashing costs tens of milliseconds)."""
    return _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_agent(
    session: Session,
    *,
    username: str,
    password: str,
    role: str = "agent",
    by: str = audit.CLI,
    by_id: int | None = None,
) -> Agent:
    """A new agent; ``by`` (an admin's username, or ``cli``) goes into the audit trail."""
    username = username.strip()
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}", hint="Use agent or admin.")
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AuthError("a username is 1-64 characters without spaces", hint="Pick another.")
    _check_password(password)
    if session.execute(select(Agent).where(Agent.username == username)).scalar() is not None:
        raise AuthError(f"agent {username!r} already exists", hint="Pick another username.")
    agent = Agent(username=username, password_hash=hash_password(password), role=role)
    session.add(agent)
    session.flush()
    audit.record(
        session,
        action=AuditAction.AGENT_CREATED,
        actor=by,
        actor_id=by_id,
        target=f"agent {username}",
        detail={"role": role},
    )
    return agent


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise AuthError("the password is shorter than 8 characters", hint="Use a longer one.")


def _named(session: Session, username: str) -> Agent:
    agent = session.execute(select(Agent).where(Agent.username == username)).scalar()
    if agent is None:
        raise AuthError(f"no agent named {username!r}", hint="See `helpdesk agent list`.")
    return agent


def set_password(session: Session, *, username: str, password: str, by: str = audit.CLI) -> None:
    """New password; the agent's API tokens stop working (sessions re-check the agent)."""
    _check_password(password)
    agent = _named(session, username)
    agent.password_hash = hash_password(password)
    session.execute(delete(ApiToken).where(ApiToken.agent_id == agent.id))
    audit.record(session, action=AuditAction.AGENT_PASSWORD, actor=by, target=f"agent {username}")


def set_active(session: Session, *, username: str, active: bool, by: str = audit.CLI) -> None:
    """A disabled agent's session and tokens stop working at their next request."""
    _named(session, username).active = active
    action = AuditAction.AGENT_ENABLED if active else AuditAction.AGENT_DISABLED
    audit.record(session, action=action, actor=by, target=f"agent {username}")


def set_role(
    session: Session, *, username: str, role: str, by: str = audit.CLI, by_id: int | None = None
) -> None:
    """Make an agent an admin or an agent again (takes effect at their next request). The
    last active admin stays one: nobody could manage agents from the console any more."""
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}", hint="Use agent or admin.")
    agent = _named(session, username)
    if agent.role == "admin" and role != "admin" and agent.active and _active_admins(session) <= 1:
        raise LastAdmin(
            f"{username} is the last admin and stays one",
            hint="Make another agent an admin first, then change this one.",
        )
    before, agent.role = agent.role, role
    audit.record(
        session,
        action=AuditAction.AGENT_ROLE,
        actor=by,
        actor_id=by_id,
        target=f"agent {username}",
        detail={"from": before, "to": role},
    )


def _active_admins(session: Session) -> int:
    query = select(func.count(Agent.id)).where(Agent.role == "admin", Agent.active.is_(True))
    return int(session.execute(query).scalar_one())


def count_agents(session: Session) -> int:
    return int(session.execute(select(func.count(Agent.id))).scalar_one())


def list_agents(session: Session) -> list[Agent]:
    return list(session.execute(select(Agent).order_by(Agent.username)).scalars())


def _failures(session: Session, *, since, **where: str) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count(LoginAttempt.id)).where(LoginAttempt.created_at >= since)
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return int(session.execute(query).scalar_one())


def is_locked(session: Session, *, username: str, ip: str) -> bool:
    settings = get_settings()
    since = utcnow() - timedelta(seconds=settings.login_lockout_seconds)
    limit = settings.login_max_failures
    from_here = _failures(session, since=since, username=username, ip=ip)
    if from_here >= limit or _failures(session, since=since, ip=ip) >= 3 * limit:
        return True
    # A distributed guess: one try per source; a source that never failed stays welcome.
    return from_here > 0 and _failures(session, since=since, username=username) >= 3 * limit


def authenticate(session: Session, *, username: str, password: str, ip: str) -> Agent:
    """The agent, or ``AuthError`` / ``LockedOut``. Commit the session either way: a failed
    attempt is recorded."""
    username = username.strip()[:64]
    if is_locked(session, username=username, ip=ip):
        audit.record(session, action=AuditAction.SIGN_IN_LOCKED, actor=username or "?", ip=ip)
        raise LockedOut("too many failed sign-ins")
    agent = session.execute(select(Agent).where(Agent.username == username)).scalar()
    try:
        _hasher.verify(agent.password_hash if agent else _dummy_hash(), password)
        ok = agent is not None and agent.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        session.add(LoginAttempt(username=username, ip=ip[:64]))
        # The name as typed: it may be no agent's (a guess), which is what an admin looks for.
        audit.record(session, action=AuditAction.SIGN_IN_FAILED, actor=username or "?", ip=ip)
        session.flush()
        raise AuthError("wrong username or password")
    assert agent is not None
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.username == username, LoginAttempt.ip == ip)
    )
    audit.record(
        session, action=AuditAction.SIGN_IN, actor=agent.username, actor_id=agent.id, ip=ip
    )
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    return agent


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, *, agent_id: int, hours: int | None = None) -> str:
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=hours or get_settings().api_token_hours)
    session.add(
        ApiToken(token_hash=_digest(token), agent_id=agent_id, expires_at=utcnow() + lifetime)
    )
    session.flush()
    return token


def agent_for_token(session: Session, *, token: str) -> Agent | None:
    row = session.get(ApiToken, _digest(token))
    if row is None or row.expires_at < utcnow():
        return None
    agent = session.get(Agent, row.agent_id)
    return agent if agent is not None and agent.active else None
