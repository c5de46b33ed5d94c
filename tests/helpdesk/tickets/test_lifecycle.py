"""Ticket lifecycle in the database: handoff from each trigger, the summary, the customer
notice, relay lines, cancel, close, hand back, erasure."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from helpdesk.db import session_scope
from helpdesk.db.models import MediaRecord
from helpdesk.erasure import erase_customer
from helpdesk.errors import ConfigurationError, TicketingError
from helpdesk.tickets import core, hours
from helpdesk.tickets.handoff import cancel, customer_message, hand_off

CUSTOMER = "5215512345678"
LABEL_ANALYSIS = {
    "kind": "image",
    "accepted": False,
    "problems": [{"code": "too_dark", "severity": "error", "message": "The photo is too dark"}],
    "ocr": {"text": "MODEL: BX-200\nSERIAL NO: SN48213771"},
    "fields": [{"type": "model_number", "value": "BX-200"}],
}


def add_media(session, analysis=LABEL_ANALYSIS, sender_id=CUSTOMER) -> int:  # type: ignore[no-untyped-def]
    record = MediaRecord(
        sender_id=sender_id,
        sha256="a" * 64,
        kind="image",
        mime="image/jpeg",
        size=10,
        source="whatsapp",
        purpose="label",
        analysis=analysis,
    )
    session.add(record)
    session.flush()
    return record.id


@pytest.mark.parametrize(
    ("trigger", "words"),
    [
        ("customer_request", "the customer asked for a person"),
        ("triage", "handed off by triage"),
        ("capture_failed", "the media could not be captured"),
    ],
)
def test_handoff_from_each_trigger_builds_a_ten_second_summary(
    database_url, trigger, words
) -> None:
    with session_scope(database_url) as session:
        media_id = add_media(session)
        other = add_media(session, sender_id="15550000000")
        ticket = core.open_ticket(
            session,
            sender_id=CUSTOMER,
            use_case="damaged_product",
            queue="returns",
            priority="high",
            summary="The jar arrived cracked and leaks.",
            transcript=[
                {"who": "customer", "when": 1_700_000_000, "text": "my blender is broken"},
                {"who": "bot", "when": "2023-11-14T22:13:25Z", "text": "Send a photo"},
                {"who": "customer", "when": 1_700_000_100, "media_id": media_id},
            ],
            media_ids=[media_id, other],
            fields=[{"type": "order_number", "value": "A-1001"}],
            kb_matches=[{"id": "kb-jar", "title": "Cracked jar replacement", "score": 0.82}],
            fixes=[{"fix": "tighten the jar", "outcome": "did not help"}],
            flags=["same photo used in another claim"],
            trigger=trigger,
        )
        lines = ticket.summary.splitlines()
        assert lines[0] == f"Customer …78 · damaged_product · {words}"
        assert CUSTOMER not in ticket.summary  # numbers are masked in summaries
        assert "Said: The jar arrived cracked and leaks." in lines
        assert (
            'label — not usable — The photo is too dark — OCR "MODEL: BX-200 SERIAL NO: SN48213771"'
            in ticket.summary
        )
        assert "Fields: order number A-1001, model number BX-200" in lines
        assert "Tried: tighten the jar → did not help" in lines
        assert "KB: Cracked jar replacement (0.82)" in lines
        assert "Flags: same photo used in another claim" in lines
        assert ticket.media_ids == [media_id]  # someone else's file is not attached
        assert ticket.status == "waiting_for_agent"
        assert [m.author for m in core.messages(session, ticket_id=ticket.id)] == [
            "customer",
            "bot",
            "customer",
        ]
        assert core.active_ticket_for(session, sender_id=CUSTOMER) is ticket


def test_a_second_handoff_while_waiting_reuses_the_ticket(database_url) -> None:
    first = hand_off(url=database_url, sender_id=CUSTOMER, use_case="x", queue="q", summary="a")
    second = hand_off(url=database_url, sender_id=CUSTOMER, use_case="x", queue="q", summary="b")
    assert first.ticket_id == second.ticket_id


def test_unknown_priority_is_refused(database_url) -> None:
    with session_scope(database_url) as session, pytest.raises(TicketingError, match="priority"):
        core.open_ticket(session, sender_id=CUSTOMER, use_case="x", queue="q", priority="asap")


def test_notice_gives_number_position_and_out_of_hours_message(database_url, monkeypatch) -> None:
    hand_off(url=database_url, sender_id="15550000001", use_case="x", queue="returns")
    result = hand_off(
        url=database_url, sender_id=CUSTOMER, use_case="x", queue="returns", language="es"
    )
    assert result.position == 2
    saturday = datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)
    text = hours.handoff_notice(
        ticket_id=result.ticket_id,
        position=2,
        language="es",
        now=saturday,
        business_hours="Mon-Fri 09:00-18:00",
        zone="UTC",
    )
    assert f"#{result.ticket_id}" in text and "hay 1 caso antes que el tuyo" in text
    assert "fuera de horario" in text and "el lunes a las 09:00" in text
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    text = hours.handoff_notice(
        ticket_id=7,
        position=1,
        language="en",
        now=tuesday,
        business_hours="Mon-Fri 09:00-18:00",
        zone="UTC",
    )
    assert "Your case number is #7" in text and "closed" not in text
    evening = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.utc)
    text = hours.handoff_notice(
        ticket_id=7,
        position=1,
        language="en",
        now=evening,
        business_hours="Mon-Fri 09:00-18:00, Sat 10:00-14:00",
        zone="America/Mexico_City",
    )
    assert "closed" not in text  # 16:00 in Mexico City: still open


def test_business_hours_typo_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="HELPDESK_BUSINESS_HOURS"):
        hours.parse("weekdays 9 to 5")


def test_customer_messages_go_to_the_ticket_only_while_an_agent_has_it(database_url) -> None:
    assert not customer_message(sender_id=CUSTOMER, text="hi", url=database_url)
    result = hand_off(url=database_url, sender_id=CUSTOMER, use_case="x", queue="q")
    assert customer_message(sender_id=CUSTOMER, text="still there?", url=database_url)
    assert cancel(sender_id=CUSTOMER, url=database_url) == result.ticket_id
    assert not customer_message(sender_id=CUSTOMER, text="never mind", url=database_url)
    with session_scope(database_url) as session:
        ticket = core.require_ticket(session, ticket_id=result.ticket_id)
        assert ticket.status == "closed" and ticket.resolved_at is None
        texts = [m.text for m in core.messages(session, ticket_id=ticket.id)]
    assert texts == ["still there?", "Cancelled by the customer."]
    assert cancel(sender_id=CUSTOMER, url=database_url) is None


def test_hand_back_needs_an_active_case(database_url) -> None:
    result = hand_off(url=database_url, sender_id=CUSTOMER, use_case="x", queue="q")
    with session_scope(database_url) as session:
        core.close_ticket(session, ticket_id=result.ticket_id)
        with pytest.raises(TicketingError, match="resolved"):
            core.hand_back(session, ticket_id=result.ticket_id)


def test_erasure_removes_the_customers_tickets(database_url) -> None:
    hand_off(url=database_url, sender_id=CUSTOMER, use_case="x", queue="q", summary="mine")
    other = hand_off(url=database_url, sender_id="15550000009", use_case="x", queue="q")
    customer_message(sender_id=CUSTOMER, text="my address is ...", url=database_url)
    report = erase_customer(sender_id=CUSTOMER, url=database_url)
    assert report.deleted["helpdesk.tickets.core:erase"] == 2  # the ticket and its line
    with session_scope(database_url) as session:
        assert core.list_tickets(session) == [core.get_ticket(session, ticket_id=other.ticket_id)]


def test_notice_estimates_the_wait_from_recent_first_replies(database_url) -> None:
    from datetime import timedelta

    with session_scope(database_url) as session:
        for n, minutes in enumerate([4, 6, 8, 30, 7]):
            ticket = core.open_ticket(session, sender_id=f"1555000{n}", use_case="x", queue="q")
            ticket.first_reply_at = ticket.opened_at + timedelta(minutes=minutes)
        assert core.typical_wait_minutes(session, queue="q") == 7
        assert core.typical_wait_minutes(session, queue="other") is None
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    text = hours.handoff_notice(
        ticket_id=9,
        position=1,
        language="en",
        now=tuesday,
        wait_minutes=7,
        business_hours="Mon-Fri 09:00-18:00",
        zone="UTC",
    )
    assert "We usually reply within about 7 minutes." in text
