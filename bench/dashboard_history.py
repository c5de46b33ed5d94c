"""The year of history the dashboard benchmark (``bench/bench_dashboard.py``) fills a
database with: tickets and their transcripts, cases the bot solved, inbox messages,
customer files with analyses, ratings and billable outbound messages.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from sqlalchemy import insert

PASSWORD = "bench-password"
USE_CASES = ("damaged_product", "payment_issue", "software_error", "appliance_fault", "return")
QUEUES = ("returns", "payments", "software", "appliances", "fraud_review")
REASONS = ("customer_asked", "capture_failed", "nothing_found", "safety_or_fraud")
PROBLEMS = ("too_dark", "blurry", "no_text", "too_small", "corrupt")
CHUNK = 20_000


def chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def fill(url: str, *, cases: int, seed: int = 7) -> float:
    """The year of history; returns the seconds it took."""
    from helpdesk import db
    from helpdesk.console.agents import add_agent
    from helpdesk.db.models import (
        CaseOutcome,
        Customer,
        InboxMessage,
        MediaRecord,
        OutboundMessage,
        Ticket,
        TicketMessage,
    )

    began = time.perf_counter()
    rnd = random.Random(seed)
    db.upgrade(url)
    now = datetime.utcnow()
    with db.session_scope(url) as session:
        agents = [
            add_agent(session, username=f"agent{n}", password=PASSWORD, role="admin").id
            for n in range(10)
        ]
    engine = db.get_engine(url)
    tickets = int(cases * 0.7)

    with engine.begin() as connection:
        customers = [
            # A year of history: last seen long ago (the rollup's refresh looks for changes).
            {
                "sender_id": f"1555{n:07d}",
                "language": rnd.choice(("en", "es")),
                "first_seen_at": now - timedelta(days=366),
                "last_seen_at": now - timedelta(days=rnd.uniform(1, 365)),
            }
            for n in range(cases)
        ]
        for part in chunks(customers):
            connection.execute(insert(Customer), part)
        rows, lines, outcomes = [], [], []
        # Rows arrive in time order, as in a real database (ids grow with the dates).
        openings = sorted(
            now - timedelta(seconds=rnd.uniform(0, 365 * 86400)) for _ in range(tickets)
        )
        for n in range(tickets):
            opened = openings[n]
            replied = (
                opened + timedelta(minutes=rnd.expovariate(1 / 40)) if rnd.random() < 0.9 else None
            )
            resolved = (
                replied + timedelta(hours=rnd.expovariate(1 / 5))
                if replied and rnd.random() < 0.8
                else None
            )
            rows.append(
                {
                    "id": n + 1,
                    "sender_id": f"1555{n:07d}",
                    "use_case": rnd.choice(USE_CASES),
                    "queue": rnd.choice(QUEUES),
                    "priority": "normal",
                    "status": "resolved"
                    if resolved
                    else ("with_agent" if replied else "waiting_for_agent"),
                    "trigger": "customer_request",
                    "handoff_reason": rnd.choice(REASONS),
                    "handoffs": 1 if rnd.random() < 0.85 else 2,
                    "language": rnd.choice(("en", "es")),
                    "summary": "",
                    "fields": [],
                    "kb_matches": [],
                    "fixes": [],
                    "flags": [],
                    "media_ids": [],
                    "assignee_id": rnd.choice(agents),
                    "opened_at": opened,
                    "first_reply_at": replied,
                    "resolved_at": resolved,
                    "updated_at": opened,
                }
            )
            for i in range(10):
                lines.append(
                    {
                        "ticket_id": n + 1,
                        "author": ("customer", "bot", "agent")[i % 3],
                        "text": f"line {i}",
                        "origin": "bot",
                        "created_at": opened + timedelta(minutes=i - 5),
                    }
                )
            if resolved:
                rated = rnd.random() < 0.4
                outcomes.append(
                    {
                        "sender_id": f"1555{n:07d}",
                        "use_case": rows[-1]["use_case"],
                        "resolved_by": "agent",
                        "first_contact": False,
                        "fixes_tried": 0,
                        "ticket_id": n + 1,
                        "resolved_at": resolved,
                        "satisfaction": rnd.randint(1, 5) if rated else None,
                        "rated_at": resolved + timedelta(minutes=5) if rated else None,
                    }
                )
        for n in range(tickets, cases):
            solved = now - timedelta(seconds=rnd.uniform(0, 365 * 86400))
            rated = rnd.random() < 0.4
            outcomes.append(
                {
                    "sender_id": f"1555{n:07d}",
                    "use_case": rnd.choice(USE_CASES),
                    "resolved_by": "bot",
                    "ticket_id": None,
                    "first_contact": True,
                    "fixes_tried": 1,
                    "resolved_at": solved,
                    "satisfaction": rnd.randint(3, 5) if rated else None,
                    "rated_at": solved + timedelta(minutes=2) if rated else None,
                }
            )
        outcomes.sort(key=lambda row: row["resolved_at"])
        for table, data in ((Ticket, rows), (TicketMessage, lines), (CaseOutcome, outcomes)):
            for part in chunks(data):
                connection.execute(insert(table), part)
        del lines
        inbox = []
        for n in range(300_000):
            sender = f"1555{rnd.randrange(cases):07d}"
            inbox.append(
                {
                    "wamid": f"w{n}",
                    "sender_id": sender,
                    "phone_number_id": "1",
                    "type": "text",
                    "timestamp": 0,
                    "body": "{}",
                    "status": "done",
                    "received_at": now - timedelta(seconds=rnd.uniform(0, 365 * 86400)),
                }
            )
        inbox.sort(key=lambda row: row["received_at"])
        for part in chunks(inbox):
            connection.execute(insert(InboxMessage), part)
        del inbox
        files = []
        for _ in range(50_000):
            who = rnd.randrange(cases)
            refused = rnd.random() < 0.2
            signals = (
                [{"code": "reused_other_customer", "severity": "strong"}]
                if rnd.random() < 0.03
                else []
            )
            files.append(
                {
                    "sender_id": f"1555{who:07d}",
                    "sha256": "0" * 64,
                    "kind": "image",
                    "mime": "image/jpeg",
                    "size": 1000,
                    "source": "whatsapp",
                    "purpose": "photo",
                    "analysis": {
                        "accepted": not refused,
                        "problems": [{"code": rnd.choice(PROBLEMS), "severity": "error"}]
                        if refused
                        else [],
                        "authenticity": {"signals": signals},
                    },
                    "created_at": (rows[who]["opened_at"] - timedelta(minutes=3))
                    if who < tickets
                    else now - timedelta(seconds=rnd.uniform(0, 365 * 86400)),
                }
            )
        files.sort(key=lambda row: row["created_at"])
        for part in chunks(files, 5000):
            connection.execute(insert(MediaRecord), part)
        sent = [
            {
                "wamid": f"o{n}",
                "updated_at": None,
                "recipient_id": f"1555{rnd.randrange(cases):07d}",
                "type": "text",
                "payload": "{}",
                "status": "delivered",
                "category": "service",
                "billable": True,
                "pricing_type": "regular",
                "created_at": now - timedelta(seconds=rnd.uniform(0, 365 * 86400)),
            }
            for n in range(100_000)
        ]
        sent.sort(key=lambda row: row["created_at"])
        for row in sent:
            row["updated_at"] = row["created_at"]
        for part in chunks(sent):
            connection.execute(insert(OutboundMessage), part)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - began
