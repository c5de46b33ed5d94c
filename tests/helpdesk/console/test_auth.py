"""Sign-in, sessions, CSRF, lockout, roles, and that nothing is reachable without them."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Mount

from helpdesk.console.agents import set_active, set_password
from helpdesk.console.app import ConsoleConfig, create_app
from helpdesk.db import session_scope
from helpdesk.db.models import Agent
from helpdesk.settings import get_settings
from tests.helpdesk.console.conftest import PASSWORD, Stack, csrf, hand_off

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/login")}


def every_route() -> list[tuple[str, str]]:
    """(method, path) of every route of the real app, path parameters filled in."""
    app = create_app(ConsoleConfig(session_secret="x" * 40))
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return found


def test_the_route_walk_sees_the_whole_console() -> None:
    paths = {path for _, path in every_route()}
    assert {"/", "/tickets/1", "/media/1", "/api/tickets", "/webhooks/zendesk", "/metrics"} <= paths


def test_every_route_refuses_an_unauthenticated_request(stack: Stack) -> None:
    ticket = hand_off(stack.database_url, "15550001111")
    client = stack.browser()
    for method, path in every_route():
        if (method, path) in PUBLIC:
            continue
        path = path.replace("/1", f"/{ticket}")
        answer = client.request(method, path)
        if path.startswith(("/api/", "/webhooks/", "/metrics")):
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.headers["content-type"].startswith("application/json")
        else:
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/login?next=")
    # A forged or expired token is no better than none.
    forged = {"Authorization": "Bearer not-a-real-token"}
    assert client.get("/api/tickets", headers=forged).status_code == 401
    # Nothing changed: the ticket is still waiting, with no agent reply.
    stack.agent()
    detail = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=stack.token()).json()
    assert detail["status"] == "waiting_for_agent"
    assert [m["who"] for m in detail["messages"]] == ["customer", "bot"]


def test_sign_in_opens_the_queue_and_sign_out_closes_it(stack: Stack) -> None:
    stack.agent()
    client = stack.sign_in()
    assert client.get("/").status_code == 200
    assert "Queue" in client.get("/").text
    client.post("/logout", data={"csrf": csrf(client, "/")})
    assert client.get("/").status_code == 303


def test_login_redirects_back_only_to_local_pages(stack: Stack) -> None:
    stack.agent()
    client = stack.browser()
    token = csrf(client, "/login")
    answer = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf": token, "next": "//evil.example"},
    )
    assert answer.headers["location"] == "/"


def test_a_form_without_the_csrf_token_is_refused(stack: Stack) -> None:
    stack.agent()
    ticket = hand_off(stack.database_url, "15550001111")
    client = stack.sign_in()
    for data in ({"text": "forged"}, {"text": "forged", "csrf": "wrong"}):
        answer = client.post(f"/tickets/{ticket}/note", data=data)
        assert answer.status_code == 403
        assert "not accepted" in answer.text
    client.post(f"/tickets/{ticket}/close", data={"outcome": "resolved"})
    detail = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=stack.token()).json()
    assert detail["notes"] == [] and detail["status"] == "waiting_for_agent"
    # With the token from the page, the same note is accepted.
    ok = client.post(
        f"/tickets/{ticket}/note", data={"text": "real", "csrf": csrf(client, f"/tickets/{ticket}")}
    )
    assert ok.status_code == 303
    detail = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=stack.token()).json()
    assert [n["text"] for n in detail["notes"]] == ["real"]


def test_the_login_form_itself_needs_its_csrf_token(stack: Stack) -> None:
    stack.agent()
    answer = stack.browser().post("/login", data={"username": "alice", "password": PASSWORD})
    assert answer.status_code == 403


def test_lockout_after_repeated_failures_even_with_the_right_password(stack: Stack) -> None:
    stack.agent()
    for _ in range(3):  # HELPDESK_LOGIN_MAX_FAILURES=3 in the stack
        wrong = httpx.post(f"{stack.url}/api/login", json={"username": "alice", "password": "nope"})
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_credentials"
    locked = httpx.post(f"{stack.url}/api/login", json={"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    # The web form is locked too, and says so.
    client = stack.browser()
    page = client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf": csrf(client, "/login")}
    )
    assert page.status_code == 429
    assert "Too many failed sign-ins" in page.text


def test_lockout_expires(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.agent()
    for _ in range(3):
        httpx.post(f"{stack.url}/api/login", json={"username": "alice", "password": "nope"})
    monkeypatch.setenv("HELPDESK_LOGIN_LOCKOUT_SECONDS", "0")
    get_settings.cache_clear()
    assert (
        httpx.post(
            f"{stack.url}/api/login", json={"username": "alice", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_unknown_user_and_wrong_password_get_the_same_answer(stack: Stack) -> None:
    stack.agent()
    a = httpx.post(f"{stack.url}/api/login", json={"username": "alice", "password": "x" * 9})
    b = httpx.post(f"{stack.url}/api/login", json={"username": "mallory", "password": "x" * 9})
    assert (a.status_code, a.json()) == (b.status_code, b.json())


def test_login_with_a_malformed_body_says_what_to_send(stack: Stack) -> None:
    answer = httpx.post(f"{stack.url}/api/login", content=b"username=alice")
    assert answer.status_code == 400
    assert "username" in answer.json()["message"]


def test_only_an_admin_adds_agents(stack: Stack) -> None:
    stack.agent("root", role="admin")
    stack.agent("bob")
    bob = stack.sign_in("bob")
    refused = bob.post(
        "/agents",
        data={
            "username": "eve",
            "password": "x" * 10,
            "role": "admin",
            "csrf": csrf(bob, "/agents"),
        },
    )
    assert refused.status_code == 403
    admin = stack.sign_in("root")
    added = admin.post(
        "/agents",
        data={
            "username": "carol",
            "password": "y" * 10,
            "role": "agent",
            "csrf": csrf(admin, "/agents"),
        },
    )
    assert added.status_code == 303
    assert "carol" in admin.get("/agents").text
    assert "eve" not in admin.get("/agents").text
    stack.token("carol", "y" * 10)


def test_passwords_are_stored_as_argon2_hashes(stack: Stack) -> None:
    stack.agent()
    with session_scope(stack.database_url) as session:
        stored = session.query(Agent).one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_metrics_need_a_token_and_count_tickets(stack: Stack) -> None:
    hand_off(stack.database_url, "15550001111")
    assert httpx.get(f"{stack.url}/metrics").status_code == 401
    answer = httpx.get(f"{stack.url}/metrics", headers={"Authorization": "Bearer metrics-token"})
    assert answer.status_code == 200
    assert 'helpdesk_tickets{queue="returns",status="waiting_for_agent"} 1.0' in answer.text


def test_disabling_or_a_new_password_ends_open_sessions(stack: Stack) -> None:
    stack.agent()
    client = stack.sign_in()
    assert client.get("/").status_code == 200
    with session_scope(stack.database_url) as session:
        set_password(session, username="alice", password="a brand new one")
    assert client.get("/").status_code == 303
    client = stack.sign_in(password="a brand new one")
    with session_scope(stack.database_url) as session:
        set_active(session, username="alice", active=False)
    assert client.get("/").status_code == 303


def test_queue_json_filters_for_the_signed_in_page(stack: Stack) -> None:
    stack.agent()
    mine = hand_off(stack.database_url, "15550000001")
    hand_off(stack.database_url, "15550000002")
    client = stack.sign_in()
    token = csrf(client, f"/tickets/{mine}")
    client.post(f"/tickets/{mine}/assign", data={"agent": "1", "csrf": token})
    everyone = client.get("/queue.json", params={"status": "active"}).json()["tickets"]
    assert len(everyone) == 2
    me = client.get("/queue.json", params={"status": "active", "assignee": "alice"}).json()
    assert [t["id"] for t in me["tickets"]] == [mine]
    assert 'option value="alice"' in client.get("/").text
