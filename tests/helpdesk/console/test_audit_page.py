"""``/audit`` for admins: what agents did, filtered and exported; agents get 403."""

from __future__ import annotations

import csv
import io
import re

import httpx

from helpdesk.db import session_scope
from helpdesk.db.models import AuditEvent
from helpdesk.db.models.base import utcnow
from tests.helpdesk.console.conftest import (
    Stack,
    hand_off,
    label_photo,
    store_customer_media,
)

CUSTOMER = "15550003344"


def table(html: str) -> list[list[str]]:
    rows = re.findall(r'<tr class="audit-row">(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<td>(?:<code>)?(.*?)(?:</code>)?</td>", r, re.S) for r in rows]
    return [[c.replace("&#34;", '"').replace("&quot;", '"') for c in row] for row in cells]


def test_admin_sees_who_did_what_and_exports_it(stack: Stack) -> None:
    stack.agent("root", role="admin")
    stack.agent("alice")
    photo = store_customer_media(stack.database_url, CUSTOMER, label_photo(), analyse=False)
    ticket = hand_off(stack.database_url, CUSTOMER, media_ids=[photo])
    alice = stack.sign_in("alice")
    assert alice.get(f"/tickets/{ticket}").status_code == 200
    assert alice.get(f"/media/{photo}").status_code == 200
    wrong = httpx.post(f"{stack.url}/api/login", json={"username": "alice", "password": "nope"})
    assert wrong.status_code == 401
    # Agents may not read the trail, as a page or as CSV.
    assert alice.get("/audit").status_code == 403
    assert alice.get("/audit.csv").status_code == 403
    assert "Admins only" in alice.get("/audit").text

    root = stack.sign_in("root")
    page = root.get("/audit", params={"actor": "alice"})
    assert page.status_code == 200
    shown = [(r[1], r[2], r[3]) for r in table(page.text)][::-1]
    assert shown == [
        ("alice", "sign_in", ""),
        ("alice", "ticket_view", f"ticket {ticket}"),
        ("alice", "media_view", f"media {photo}"),
        ("alice", "sign_in_failed", ""),
    ]
    failed = root.get("/audit", params={"action": "sign_in_failed"})
    assert [r[1] for r in table(failed.text)] == ["alice"]
    # The export holds exactly the rows of the table for the same filters.
    exported = root.get("/audit.csv", params={"actor": "alice"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [
        [r["at"], r["actor"], r["action"], r["target"], r["ip"], r["detail"]] for r in rows
    ] == (table(page.text))
    assert f'"ticket": {ticket}' in rows[1]["detail"]


def test_date_range_and_bad_filters(stack: Stack) -> None:
    stack.agent("root", role="admin")
    with session_scope(stack.database_url) as session:
        session.add(
            AuditEvent(at=utcnow().replace(year=2025), actor="bob", action="sign_in", ip="1.2.3.4")
        )
    root = stack.sign_in("root")
    year = str(utcnow().year - 1)
    old = root.get("/audit", params={"from": f"{year}-01-01", "to": f"{year}-12-31"})
    assert [r[1] for r in table(old.text)] == ["bob"]
    today = utcnow().date().isoformat()
    recent = root.get("/audit", params={"from": today, "to": today})
    assert "bob" not in [r[1] for r in table(recent.text)]
    assert "root" in [r[1] for r in table(recent.text)]
    odd = root.get("/audit", params={"from": "yesterday", "action": "rm -rf"})
    assert odd.status_code == 200
    assert "is not YYYY-MM-DD" in odd.text and "unknown action" in odd.text
