"""The dashboard's figures on a history worked out by hand (tests/helpdesk/reporting/dataset.py),
on SQLite and on PostgreSQL (scripts/services.sh): the JSON reads differ per engine."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import text

from helpdesk.db import session_scope
from helpdesk.db.models import Base, Ticket
from helpdesk.reporting import report
from helpdesk.reporting.filters import Filters, from_query
from helpdesk.settings import get_settings
from tests.helpdesk.reporting.dataset import build

NOV = Filters(since=date(2026, 11, 1), until=date(2026, 11, 4))


@pytest.fixture(params=["sqlite", "postgresql"])
def history(
    request: pytest.FixtureRequest, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setenv("WHATSAPP_PRICES", "*:service=0.01")
    monkeypatch.setenv("HELPDESK_BUSINESS_HOURS", "Mon-Fri 09:00-18:00")
    monkeypatch.setenv("HELPDESK_TIMEZONE", "UTC")
    get_settings.cache_clear()
    url = database_url
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres")
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with session_scope(url) as session:
            session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    build(url)
    return url


def figures(url: str, f: Filters = NOV) -> dict[str, list[list]]:
    with session_scope(url) as session:
        return {k: t.rows for k, t in report.build(session, f).tables.items()}


def test_volume_per_day_counts_tickets_bot_cases_and_conversations(history: str) -> None:
    rows = figures(history)["volume"]
    assert rows == [
        ["2026-11-01", 0, 0, 0, 0],
        ["2026-11-02", 2, 2, 0, 2],
        ["2026-11-03", 1, 3, 1, 2],
        ["2026-11-04", 0, 1, 1, 0],
    ]
    queues = figures(history)["cases_by_queue"]
    assert queues[2] == ["2026-11-03", 1, 1, 1, 0]  # bot, fraud_review, payments, returns


def test_containment_first_contact_and_handoff_reasons(history: str) -> None:
    got = figures(history)
    assert got["outcomes"] == [
        ["bot containment", 2, 6, 33.3],
        ["first-contact resolution", 3, 4, 75.0],  # T2 went to a person twice
        ["handoff rate", 4, 6, 66.7],
    ]
    assert got["handoff_reasons"] == [
        ["customer asked", 1, 25.0],
        ["capture failed", 1, 25.0],
        ["triage found nothing", 1, 25.0],  # T4, recorded before reasons were
        ["safety or fraud", 1, 25.0],
    ]


def test_first_response_starts_at_the_handoff_not_the_first_message(history: str) -> None:
    rows = {(r[0], r[1]): r[2:] for r in figures(history)["response_times"]}
    # 10, 30 and 20 minutes after each handoff; T1's customer wrote an hour before it.
    assert rows["all queues", "first response"] == [3, 20.0, 28.0]
    assert rows["all queues", "resolution"] == [2, 90.0, 114.0]
    assert rows["returns", "first response"] == [2, 20.0, 28.0]


def test_business_hours_count_only_opening_time(history: str) -> None:
    with session_scope(history) as session:
        # Friday 17:50 → Monday 09:10: 63 h 20 min on the clock, 20 min of business hours.
        session.add(
            Ticket(id=9, sender_id="H", use_case="x", queue="weekend", priority="normal",
                   status="with_agent", trigger="customer_request", language="en", summary="",
                   opened_at=datetime(2026, 11, 6, 17, 50),
                   first_reply_at=datetime(2026, 11, 9, 9, 10))
        )  # fmt: skip
    week = Filters(since=date(2026, 11, 6), until=date(2026, 11, 6), queue="weekend")
    clock = {r[1]: r[3] for r in figures(history, week)["response_times"] if r[0] == "weekend"}
    assert clock["first response"] == 3800.0
    business = Filters(**{**week.__dict__, "business_hours": True})
    hours = {r[1]: r[3] for r in figures(history, business)["response_times"] if r[0] == "weekend"}
    assert hours["first response"] == 20.0


def test_satisfaction_and_csat_by_queue_and_agent(history: str) -> None:
    got = figures(history)
    assert got["satisfaction"] == [
        [1, 0, 0.0], [2, 1, 33.3], [3, 0, 0.0], [4, 1, 33.3], [5, 1, 33.3],
    ]  # fmt: skip
    assert got["csat_by_queue"] == [["bot", 1, 1, 100.0], ["returns", 2, 1, 50.0]]
    assert got["csat_by_agent"] == [
        ["alice", 1, 1, 100.0], ["bob", 1, 0, 0.0], ["bot", 1, 1, 100.0],
    ]  # fmt: skip


def test_media_refusals_and_authenticity_by_use_case(history: str) -> None:
    got = figures(history)
    assert got["media_received"] == [
        ["damaged_product", 2, 1, 1, 0, 50.0],
        ["no case", 1, 0, 0, 1, 0.0],
        ["software_error", 1, 0, 1, 0, 100.0],
    ]
    assert sorted(got["media_refusals"]) == [
        ["damaged_product", "blurry", 1],
        ["damaged_product", "too_dark", 1],
        ["software_error", "no_text", 1],
    ]
    # The cases' signals (ticket flags), each once per ticket.
    assert got["authenticity"] == [
        ["damaged_product", "reused_other_customer", "strong", 1],
        ["payment_issue", "amount_mismatch", "strong", 1],
        ["payment_issue", "edited_file", "unknown", 1],
    ]


def test_cost_per_case_and_per_resolved_case(history: str) -> None:
    rows = {r[0]: r[1] for r in figures(history)["cost"]}
    assert rows["cost"] == 0.04  # four billable service messages at 0.01
    assert rows["cost per case"] == round(0.04 / 3, 4)  # A, E and B were written to
    assert rows["cost per resolved case"] == 0.01  # two by the bot, two by agents
    assert rows["billable messages: service"] == 4


def test_filters_narrow_every_figure(history: str) -> None:
    returns = figures(history, Filters(since=NOV.since, until=NOV.until, queue="returns"))
    assert returns["outcomes"][0] == ["bot containment", 0, 2, 0.0]
    assert returns["media_received"] == [["damaged_product", 2, 1, 1, 0, 50.0]]
    spanish = figures(history, Filters(since=NOV.since, until=NOV.until, language="es"))
    assert [r[2] for r in spanish["volume"]] == [0, 1, 1, 0]  # B's ticket, E's bot case
    assert [r[1] for r in spanish["volume"]] == [0, 1, 1, 0]  # B wrote, E wrote
    software = figures(history, Filters(use_case="software_error"))
    assert software["outcomes"][0] == ["bot containment", 2, 2, 100.0]
    everything = figures(history, Filters())
    assert everything["outcomes"][2] == ["handoff rate", 5, 7, 71.4]  # T5 in October


def test_filters_from_the_query_string() -> None:
    today = date(2026, 12, 1)
    assert from_query({}, today=today).since == date(2026, 11, 2)  # the last 30 days
    assert from_query({"from": "", "to": ""}, today=today).since is None
    bad = from_query({"from": "yesterday", "queue": "<script>"}, today=today)
    assert bad.since is None and bad.queue is None and len(bad.problems) == 2
    swapped = from_query({"from": "2026-11-05", "to": "2026-11-01"}, today=today)
    assert (swapped.since, swapped.until) == (date(2026, 11, 1), date(2026, 11, 5))


def test_csv_is_the_table_and_defuses_formulas(history: str) -> None:
    with session_scope(history) as session:
        table = report.build(session, NOV).table("csat_by_agent")
    table.rows.append(["=HYPERLINK(1)", 1, 1, 100.0])
    rows = list(csv.reader(io.StringIO(report.csv_text(table))))
    assert rows[0] == ["agent", "ratings", "satisfied (4–5)", "CSAT %"]
    assert rows[1] == ["alice", "1", "1", "100.0"]
    assert rows[-1][0] == "'=HYPERLINK(1)"
