"""The agents page's role buttons: an admin makes an agent an admin and back, each change
is in the audit trail as the CLI's is, agents cannot, and the last admin stays one."""

from __future__ import annotations

import json
import re

from helpdesk.db import session_scope
from helpdesk.db.models import Agent, AuditEvent
from tests.helpdesk.console.conftest import Stack, csrf


def _role(stack: Stack, name: str) -> str:
    with session_scope(stack.database_url) as session:
        return session.query(Agent).filter_by(username=name).one().role


def _post_role(client, name: str, role: str):  # type: ignore[no-untyped-def]
    token = csrf(client, "/agents")
    return client.post("/agents/role", data={"username": name, "role": role, "csrf": token})


def test_admin_changes_roles_with_the_buttons_and_it_is_audited(stack: Stack) -> None:
    stack.agent("root", role="admin")
    stack.agent("bob")
    admin = stack.sign_in("root")
    page = admin.get("/agents").text
    # One button per agent, the one that changes their role.
    assert re.search(r'name="username" value="bob">\s*<input type="hidden" name="role" '
                     r'value="admin"><button[^>]*>Make admin</button>', page)  # fmt: skip
    assert re.search(r'value="root">\s*<input type="hidden" name="role" value="agent">', page)

    made = _post_role(admin, "bob", "admin")
    assert made.status_code == 303
    assert "bob is now an admin" in admin.get(made.headers["location"]).text
    assert _role(stack, "bob") == "admin"
    # Bob's next request already has the admin's page: he sees the buttons.
    assert "Make agent" in stack.sign_in("bob").get("/agents").text

    back = _post_role(admin, "bob", "agent")
    assert back.status_code == 303 and _role(stack, "bob") == "agent"
    with session_scope(stack.database_url) as session:
        changes = [
            (e.actor, e.target, json.loads(e.detail))
            for e in session.query(AuditEvent)
            .filter_by(action="agent_role")
            .order_by(AuditEvent.id)
        ]
    assert changes == [
        ("root", "agent bob", {"from": "agent", "to": "admin"}),
        ("root", "agent bob", {"from": "admin", "to": "agent"}),
    ]


def test_an_agent_cannot_change_roles_and_a_stale_form_is_refused(stack: Stack) -> None:
    stack.agent("root", role="admin")
    stack.agent("bob")
    bob = stack.sign_in("bob")
    assert "Make admin" not in bob.get("/agents").text
    refused = _post_role(bob, "bob", "admin")
    assert refused.status_code == 403 and _role(stack, "bob") == "agent"
    admin = stack.sign_in("root")
    stale = admin.post("/agents/role", data={"username": "bob", "role": "admin", "csrf": "x"})
    assert stale.status_code == 403 and _role(stack, "bob") == "agent"


def test_the_last_admin_is_not_demoted(stack: Stack) -> None:
    stack.agent("root", role="admin")
    admin = stack.sign_in("root")
    answer = _post_role(admin, "root", "agent")
    assert answer.status_code == 303
    shown = admin.get(answer.headers["location"]).text
    assert "root is the last admin" in shown and "Make another agent an admin first" in shown
    assert _role(stack, "root") == "admin"
    unknown = _post_role(admin, "root", "owner")
    assert "Unknown role" in admin.get(unknown.headers["location"]).text
