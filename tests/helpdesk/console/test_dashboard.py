"""``/dashboard`` through the real console: sign-in required, the figures of the hand-built
history (tests/helpdesk/reporting/dataset.py), filters in the query string, CSV exports
equal to the tables, and the same numbers on ``/metrics``."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest

from helpdesk.console.app import ConsoleConfig, create_app
from helpdesk.settings import get_settings
from tests.helpdesk.reporting.dataset import build
from tests.support.servers import serve_app

PASSWORD = "correct horse battery"
NOV = "from=2026-11-01&to=2026-11-04"


@pytest.fixture
def console(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("WHATSAPP_PRICES", "*:service=0.01")
    monkeypatch.setenv("HELPDESK_SESSION_SECRET", "s" * 40)
    get_settings.cache_clear()
    build(database_url)
    config = ConsoleConfig(
        session_secret="s" * 40, database_url=database_url, metrics_token="metrics-token"
    )
    with serve_app(create_app(config), path="/login") as url:
        yield url


@contextlib.contextmanager
def signed_in(url: str, name: str = "alice") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token})
        assert answer.status_code == 303
        yield client


def test_anonymous_visitors_are_sent_to_sign_in(console: str) -> None:
    with httpx.Client(base_url=console, follow_redirects=False) as client:
        page = client.get(f"/dashboard?{NOV}")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login?next=/dashboard")
        assert client.get("/dashboard/outcomes.csv").status_code == 303
        assert client.get("/metrics").status_code == 401


def test_agents_and_admins_see_the_figures_with_definitions(console: str) -> None:
    for name in ("alice", "bob"):  # an agent and an admin
        with signed_in(console, name) as client:
            page = client.get(f"/dashboard?{NOV}")
            assert page.status_code == 200
            text = page.text
            assert "<td>bot containment</td><td>2</td><td>6</td><td>33.3</td>" in text
            assert "<td>safety or fraud</td><td>1</td><td>25.0</td>" in text
            assert "the time the customer spent with the bot before the handoff" in text
            assert text.count('<svg class="chart"') == 14
            assert 'href="/dashboard/cost.csv?from=2026-11-01&amp;to=2026-11-04' in text


def test_filters_change_the_page_and_bad_ones_are_named(console: str) -> None:
    with signed_in(console) as client:
        page = client.get(f"/dashboard?{NOV}&queue=returns")
        assert "<td>bot containment</td><td>0</td><td>2</td><td>0.0</td>" in page.text
        bad = client.get("/dashboard?from=soon&to=2026-11-04")
        assert bad.status_code == 200
        assert "“from” must be a date like 2026-11-30" in bad.text


def test_each_csv_export_is_its_table(console: str) -> None:
    with signed_in(console) as client:
        answer = client.get(f"/dashboard/response_times.csv?{NOV}")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.text)))
        assert rows[0] == ["queue", "measure", "tickets", "median (minutes)", "p90 (minutes)"]
        assert ["all queues", "first response", "3", "20.0", "28.0"] in rows
        spanish = client.get(f"/dashboard/volume.csv?{NOV}&language=es").text
        assert "2026-11-02,1,1,0,1" in spanish.splitlines()
        assert client.get("/dashboard/nothing.csv").status_code == 404


def test_metrics_carry_the_dashboard_figures(console: str) -> None:
    answer = httpx.get(f"{console}/metrics", headers={"Authorization": "Bearer metrics-token"})
    body = answer.text
    # All time: T5 (October) counts too, so 5 handoffs of 7 cases.
    assert re.search(r"^helpdesk_handoff_ratio 0\.714\d*$", body, re.M), body
    assert 'helpdesk_handoffs{reason="customer_asked"} 2.0' in body
    assert 'helpdesk_ticket_first_response_seconds{quantile="0.5",queue="all"} 1200.0' in body
    assert 'helpdesk_csat_ratio{queue="returns"} 0.5' in body
    assert 'helpdesk_media_refusals{reason="too_dark",use_case="damaged_product"} 1.0' in body
    assert "helpdesk_tickets{" in body  # the existing names stay
