"""The daily rollups give exactly the figures of the row-by-row computation, table by
table, for every filter, on SQLite and PostgreSQL: on a varied random history, after new
events written the way the product writes them, after an erasure and after a retention
purge."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from helpdesk import customers, erasure, outcomes, retention
from helpdesk.console.agents import add_agent
from helpdesk.db import session_scope
from helpdesk.db.models import (
    Base,
    CaseOutcome,
    Customer,
    InboxMessage,
    MediaRecord,
    OutboundMessage,
    ReportCount,
    Ticket,
    WhatsAppIdentity,
)
from helpdesk.db.models.base import utcnow
from helpdesk.reporting import report, rollup
from helpdesk.reporting.filters import Filters
from helpdesk.reporting.times import BusinessClock
from helpdesk.settings import get_settings
from helpdesk.tickets.hours import parse as parse_hours

USE_CASES = ("damaged_product", "payment_issue", "software_error")
QUEUES = ("returns", "payments", "fraud_review")
TRIGGERS = ("customer_request", "triage", "capture_failed")
REASONS = (None, "customer_asked", "capture_failed", "nothing_found", "safety_or_fraud")
SIGNALS = (
    "authenticity: reused_other_customer [strong] — seen before",
    "authenticity: amount_mismatch [notable] — 40 said, 400 read",
    "authenticity: edited_file — from before severities",
    "a note that is no signal",
)
PROBLEMS = ("too_dark", "blurry", "no_text")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WHATSAPP_PRICES", "*:service=0.01,marketing=0.05;ES:service=0.02")
    monkeypatch.setenv("HELPDESK_BUSINESS_HOURS", "Mon-Fri 09:00-17:30")
    monkeypatch.setenv("HELPDESK_TIMEZONE", "Europe/Madrid")
    get_settings.cache_clear()
    if request.param == "sqlite":
        return database_url
    found = request.getfixturevalue("postgres")
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with session_scope(found) as session:
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return found


def history(url: str, *, seed: int = 3, senders: int = 60) -> None:
    """Two months up to now: tickets of every kind, bot cases (some with no use case),
    customers with and without a language, ratings, messages, files, billable sends."""
    rnd = random.Random(seed)
    now = utcnow()

    def moment() -> datetime:
        return now - timedelta(seconds=rnd.uniform(0, 60 * 86400))

    with session_scope(url) as session:
        agents = [
            add_agent(session, username=f"agent{n}", password="correct horse battery", role="agent")
            for n in range(3)
        ]
        people = [f"3461{n:07d}" for n in range(senders)]
        for n, sender in enumerate(people):
            if n % 7:
                session.add(Customer(sender_id=sender, language=(None, "en", "es")[n % 3]))
            if n % 5 == 0:
                session.add(WhatsAppIdentity(key=sender, phone=f"+{sender}"))
        for _ in range(senders * 2):
            opened = moment()
            replied = (
                opened + timedelta(minutes=rnd.expovariate(1 / 300)) if rnd.random() < 0.8 else None
            )
            resolved = (
                replied + timedelta(hours=rnd.expovariate(1 / 20))
                if replied and rnd.random() < 0.7
                else None
            )
            queue = rnd.choice(QUEUES)
            session.add(Ticket(
                sender_id=rnd.choice(people), use_case=rnd.choice(USE_CASES), queue=queue,
                priority="normal", status="resolved" if resolved else "with_agent",
                trigger=rnd.choice(TRIGGERS), handoff_reason=rnd.choice(REASONS),
                handoffs=rnd.choice((1, 1, 2)), language=rnd.choice(("en", "es")), summary="",
                flags=rnd.sample(SIGNALS, rnd.randint(0, 3)),
                assignee_id=rnd.choice([None, *(a.id for a in agents)]),
                opened_at=opened, first_reply_at=replied, resolved_at=resolved, updated_at=opened,
            ))  # fmt: skip
        session.flush()
        for ticket in session.execute(
            select(Ticket).where(Ticket.resolved_at.is_not(None))
        ).scalars():
            rated = rnd.random() < 0.6
            session.add(CaseOutcome(
                sender_id=ticket.sender_id, use_case=ticket.use_case, resolved_by="agent",
                ticket_id=ticket.id, resolved_at=ticket.resolved_at,
                satisfaction=rnd.randint(1, 5) if rated else None,
                rated_at=ticket.resolved_at + timedelta(hours=30) if rated else None,
            ))  # fmt: skip
        for _ in range(senders):
            solved, rated = moment(), rnd.random() < 0.5
            session.add(CaseOutcome(
                sender_id=rnd.choice(people), use_case=rnd.choice((None, *USE_CASES)),
                resolved_by="bot", first_contact=True, resolved_at=solved,
                satisfaction=rnd.randint(1, 5) if rated else None,
                rated_at=solved + timedelta(minutes=3) if rated else None,
            ))  # fmt: skip
        for n in range(senders * 5):
            session.add(InboxMessage(
                wamid=f"w{n}", sender_id=rnd.choice(people), phone_number_id="1", type="text",
                timestamp=0, body="{}", status="done", received_at=moment(),
            ))  # fmt: skip
        for _ in range(senders * 2):
            accepted = rnd.choice((None, True, False))
            problems = rnd.sample(PROBLEMS, rnd.randint(1, 2)) if accepted is False else []
            session.add(MediaRecord(
                sender_id=rnd.choice(people), sha256="0" * 64, kind="image", mime="image/jpeg",
                size=1, source="whatsapp", purpose="photo", created_at=moment(),
                analysis=None if accepted is None else {
                    "accepted": accepted,
                    "problems": [{"code": c, "severity": "error"} for c in problems]
                    + [{"code": "dim", "severity": "warning"}],
                },
            ))  # fmt: skip
        for n in range(senders * 3):
            session.add(OutboundMessage(
                wamid=f"o{n}", recipient_id=rnd.choice(people), type="text", payload="{}",
                status="delivered", category=rnd.choice(("service", "marketing", None)),
                billable=rnd.choice((True, True, False)), created_at=moment(),
            ))  # fmt: skip


def every_filter(url: str) -> list[Filters]:
    today = report.today()
    month = {"since": today - timedelta(days=29), "until": today}
    found = [
        Filters(),
        Filters(**month),
        Filters(business_hours=True),
        Filters(**month, business_hours=True),
    ]
    found.append(Filters(since=today - timedelta(days=45), until=today - timedelta(days=40)))
    for name, values in (
        ("use_case", (*USE_CASES, "unknown")),
        ("language", ("en", "es", "unknown")),
        ("queue", (*QUEUES, "bot")),
    ):
        for value in values:
            found.append(Filters(**{name: value}))
            found.append(Filters(**month, **{name: value}, business_hours=True))
    return found


def compare(url: str) -> int:
    """Every table of every filter from the rollups and row by row; the number of cases."""
    for f in every_filter(url):
        with session_scope(url) as session:
            rolled = report.build(session, f)
            rows = report.build(session, f, rows=True)
        assert rolled.tables.keys() == rows.tables.keys()
        for key, table in rows.tables.items():
            assert rolled.tables[key].columns == table.columns, (f, key)
            assert rolled.tables[key].rows == table.rows, (f, key)
    with session_scope(url) as session:
        return sum(
            r[2] for r in report.build(session, Filters(), only=["volume"]).table("volume").rows
        )


def test_rollups_equal_the_row_by_row_figures_and_follow_new_events(url: str) -> None:
    history(url)
    cases = compare(url)
    assert cases > 150  # a real history, not empty tables that trivially agree
    with session_scope(url) as session:
        assert session.execute(select(func.count(ReportCount.id))).scalar_one() > 0
        old = (
            session.execute(select(Ticket).where(Ticket.resolved_at.is_(None)).limit(3))
            .scalars()
            .all()
        )
        sender = old[0].sender_id
        # New events, written as the product writes them (now): a new ticket for a customer
        # with older files (their use case moves to it), an old ticket answered and resolved,
        # a rating, a bot case, a message, a file, a changed language, a billable status.
        session.add(Ticket(sender_id=sender, use_case="software_error", queue="returns",
                           priority="normal", status="waiting_for_agent", trigger="triage",
                           language="es", summary="", flags=[SIGNALS[0]]))  # fmt: skip
        old[1].first_reply_at = old[1].first_reply_at or utcnow()
        old[1].resolved_at, old[1].status = utcnow(), "resolved"
        outcomes.record_resolution(
            session, sender_id=old[2].sender_id, use_case=None, resolved_by="bot"
        )
        outcomes.record_satisfaction(session, sender_id=old[1].sender_id, score=1)
        session.add(InboxMessage(wamid="new", sender_id=old[2].sender_id, phone_number_id="1",
                                 type="text", timestamp=0, body="{}", status="done"))  # fmt: skip
        blurry = {"accepted": False, "problems": [{"code": "blurry", "severity": "error"}]}
        session.add(MediaRecord(sender_id=sender, sha256="1" * 64, kind="image",
                                mime="image/jpeg", size=1, source="whatsapp", purpose="photo",
                                analysis=blurry))  # fmt: skip
        customers.record_customer_seen(session, sender_id=old[2].sender_id, language="en")
        customers.record_customer_seen(
            session, sender_id="34610000042", language="es"
        )  # no customer row yet
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id % 4 == 0)
            .values(billable=True, category="marketing")
        )
    assert compare(url) == cases + 2  # the new ticket and the bot's case
    # An erasure and a retention purge delete rows; the rollups follow.
    erasure.erase_customer(sender_id=sender, url=url)
    with session_scope(url) as session:
        assert (
            session.execute(
                select(func.count(Ticket.id)).where(Ticket.sender_id == sender)
            ).scalar_one()
            == 0
        )
    compare(url)
    retention.purge(url=url, now=utcnow() + timedelta(days=300))
    compare(url)


def _refresh(url: str) -> int:
    settings = get_settings()
    clock = BusinessClock(parse_hours(settings.business_hours), settings.timezone)
    with session_scope(url) as session:
        return rollup.refresh(session, clock=clock)


def _conversations_today(url: str, *, rows: bool) -> int:
    today = report.today()
    with session_scope(url) as session:
        built = report.build(session, Filters(since=today, until=today), only=["volume"], rows=rows)
    return sum(r[1] for r in built.table("volume").rows)


def test_a_view_recounts_only_what_changed_since_the_last_one_yet_finds_late_commits(
    url: str,
) -> None:
    """A busy helpdesk writes every second: each view must not recount the changes the
    previous view already counted (the dashboard got slower with every recent change),
    but a change written before the last view and committed after it is still counted."""
    history(url)
    _refresh(url)

    def message(wamid: str, sender: str, at: datetime | None = None) -> None:
        with session_scope(url) as session:
            session.add(InboxMessage(wamid=wamid, sender_id=sender, phone_number_id="1",
                                     type="text", timestamp=0, body="{}", status="done",
                                     **({"received_at": at} if at else {})))  # fmt: skip

    message("fresh-1", "34600000901")
    assert _refresh(url) >= 1  # today's conversations are recounted
    assert _refresh(url) == 0  # nothing new: nothing recounted
    assert _conversations_today(url, rows=False) == _conversations_today(url, rows=True)
    # Written (stamped) before that refresh, committed only now: inside the margin.
    message("late-1", "34600000902", at=utcnow() - timedelta(seconds=5))
    assert _refresh(url) >= 1
    assert _refresh(url) == 0
    assert _conversations_today(url, rows=False) == _conversations_today(url, rows=True)
