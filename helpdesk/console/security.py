"""Who is asking: the signed-in agent (session cookie) or the API caller (bearer token).

Sessions are Starlette's ``SessionMiddleware``: the session is an itsdangerous-signed
cookie (``HELPDESK_SESSION_SECRET``) holding only the agent id and the CSRF token, and the
agent is looked up again on every request, so a disabled agent loses access at once.
Every form POST carries the session's CSRF token (``csrf`` field), compared in constant
time; a cross-site page cannot read it, so it cannot forge the form.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from helpdesk.console.agents import agent_for_token
from helpdesk.db import session_scope
from helpdesk.db.models import Agent
from helpdesk.errors import Forbidden, NotSignedIn, Unauthorized


@dataclass(frozen=True)
class Who:
    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def fingerprint(password_hash: str) -> str:
    """Kept in the session: a password change ends every session signed in before it."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _load_agent(url: str | None, agent_id: int, seen: object) -> Who | None:
    with session_scope(url) as session:
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active or seen != fingerprint(agent.password_hash):
            return None
        return Who(agent.id, agent.username, agent.role)


def _agent_for_token(url: str | None, token: str) -> Who | None:
    with session_scope(url) as session:
        agent = agent_for_token(session, token=token)
        return Who(agent.id, agent.username, agent.role) if agent else None


async def page_agent(request: Request) -> Who:
    """Dependency of every page: the signed-in agent, or a redirect to /login."""
    agent_id = request.session.get("agent_id")
    who = None
    if isinstance(agent_id, int):
        who = await asyncio.to_thread(
            _load_agent, request.app.state.database_url, agent_id, request.session.get("pw")
        )
    if who is None:
        request.session.pop("agent_id", None)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(target)
    return who


# Declares the bearer scheme in the OpenAPI document (Swagger UI's "Authorize" button);
# ``api_agent`` reads and checks the header itself.
BEARER = HTTPBearer(auto_error=False, description="A token from POST /api/login.")


async def api_agent(request: Request) -> Who:
    """Dependency of every API route: ``Authorization: Bearer <token from /api/login>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    who = await asyncio.to_thread(_agent_for_token, request.app.state.database_url, token.strip())
    if who is None:
        raise Unauthorized()
    return who


async def admin_agent(request: Request) -> Who:
    """Admins only (the API documentation): by bearer token when the request carries an
    ``Authorization`` header, else by the session cookie like any page."""
    if request.headers.get("authorization"):
        who = await api_agent(request)
    else:
        who = await page_agent(request)
    if not who.is_admin:
        raise Forbidden("this is for admins only")
    return who


def db_session(request: Request) -> Iterator[Session]:
    """Dependency: one transaction per request, committed before the answer is sent (the
    ``function`` scope), rolled back if the route raises."""
    with session_scope(request.app.state.database_url) as session:
        yield session


async def _api_route_agent(request: Request, _scheme: object = Depends(BEARER)) -> Who:
    return await api_agent(request)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: object) -> bool:
    expected = request.session.get("csrf")
    return (
        isinstance(expected, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected.encode(), submitted.encode())
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_redirect(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def safe_next(value: str | None) -> str:
    """Only local paths: never redirect a signed-in agent to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# Route signatures: ``who: PageWho`` (pages) or ``who: ApiWho`` (JSON API).
PageWho = Annotated[Who, Depends(page_agent)]
ApiWho = Annotated[Who, Depends(_api_route_agent)]
AdminWho = Annotated[Who, Depends(admin_agent)]
# Sync routes take ``session: DbSession``; FastAPI runs them in its thread pool.
DbSession = Annotated[Session, Depends(db_session, scope="function")]
