"""A small helpdesk history whose dashboard figures are worked out by hand (the numbers
in the tests come from the comments here, not from running the code)."""

from __future__ import annotations

from datetime import datetime

from helpdesk.console.agents import add_agent
from helpdesk.db import session_scope
from helpdesk.db.models import (
    CaseOutcome,
    Customer,
    InboxMessage,
    MediaRecord,
    OutboundMessage,
    Ticket,
    TicketMessage,
)

# 2026-11-02 is a Monday.
D = datetime


def _ticket(session, n, sender, use_case, queue, language, trigger, reason, opened, **extra):
    ticket = Ticket(
        id=n,
        sender_id=sender,
        use_case=use_case,
        queue=queue,
        priority="normal",
        status=extra.pop("status", "with_agent"),
        trigger=trigger,
        handoff_reason=reason,
        language=language,
        summary="",
        opened_at=opened,
        **extra,
    )
    session.add(ticket)
    return ticket


def _file(session, sender, when, *, accepted=None, problems=(), signals=()):
    analysis = None
    if accepted is not None:
        analysis = {
            "accepted": accepted,
            "problems": [{"code": c, "severity": "error", "message": c} for c in problems]
            + [{"code": "dim", "severity": "warning", "message": "dim"}],
            "authenticity": {"signals": [{"code": c, "severity": s} for c, s in signals]},
        }
    session.add(
        MediaRecord(
            sender_id=sender, sha256="0" * 64, kind="image", mime="image/jpeg", size=1,
            source="whatsapp", purpose="photo", analysis=analysis, created_at=when,
        )
    )  # fmt: skip


def build(url: str) -> None:
    with session_scope(url) as session:
        alice = add_agent(session, username="alice", password="correct horse battery", role="agent")
        bob = add_agent(session, username="bob", password="correct horse battery", role="admin")
        for sender, language in (("A", "en"), ("B", "es"), ("E", "es"), ("F", "en")):
            session.add(Customer(sender_id=sender, language=language))
        # T1: the customer asked; bot time 09:00-10:00 before the handoff; reply after 10 min,
        # resolved after 60 min, one handoff (first contact), alice.
        _ticket(session, 1, "A", "damaged_product", "returns", "en", "customer_request",
                "customer_asked", D(2026, 11, 2, 10), first_reply_at=D(2026, 11, 2, 10, 10),
                resolved_at=D(2026, 11, 2, 11), status="resolved", handoffs=1,
                assignee_id=alice.id,
                flags=["authenticity: reused_other_customer [strong] — seen before",
                       "missing receipt"])  # fmt: skip
        session.add(TicketMessage(ticket_id=1, author="customer", text="hi",
                                  created_at=D(2026, 11, 2, 9)))  # fmt: skip
        session.add(TicketMessage(ticket_id=1, author="bot", text="photo?",
                                  created_at=D(2026, 11, 2, 9, 1)))  # fmt: skip
        # T2: capture failed; reply 30 min, resolved 120 min; handed off twice; bob.
        _ticket(session, 2, "B", "damaged_product", "returns", "es", "capture_failed",
                "capture_failed", D(2026, 11, 2, 12), first_reply_at=D(2026, 11, 2, 12, 30),
                resolved_at=D(2026, 11, 2, 14), status="resolved", handoffs=2,
                assignee_id=bob.id)  # fmt: skip
        # T3: safety or fraud, reply after 20 min, still open.
        _ticket(session, 3, "C", "payment_issue", "fraud_review", "en", "triage",
                "safety_or_fraud", D(2026, 11, 3, 9),
                first_reply_at=D(2026, 11, 3, 9, 20),
                # Each signal once per ticket; a flag from before severities were written.
                flags=["authenticity: amount_mismatch [strong] — 40 said, 400 read",
                       "authenticity: amount_mismatch [strong] — 40 said, 400 read",
                       "authenticity: edited_file — the file was edited"])  # fmt: skip
        # T4: from before reasons were recorded: triage on a normal queue = found nothing.
        _ticket(session, 4, "D", "payment_issue", "payments", "en", "triage", None,
                D(2026, 11, 3, 15), status="waiting_for_agent")  # fmt: skip
        # T5: outside the range.
        _ticket(session, 5, "D", "payment_issue", "payments", "en", "customer_request",
                "customer_asked", D(2026, 10, 1, 15), status="closed")  # fmt: skip
        session.flush()
        # Bot-solved: E (es) rated 5; F (en) not rated. Agent outcomes of T1 (4) and T2 (2).
        session.add_all(
            [
                CaseOutcome(sender_id="E", use_case="software_error", resolved_by="bot",
                            first_contact=True, resolved_at=D(2026, 11, 3, 8), satisfaction=5,
                            rated_at=D(2026, 11, 3, 8, 5)),
                CaseOutcome(sender_id="F", use_case="software_error", resolved_by="bot",
                            first_contact=True, resolved_at=D(2026, 11, 4, 10)),
                CaseOutcome(sender_id="A", use_case="damaged_product", resolved_by="agent",
                            ticket_id=1, resolved_at=D(2026, 11, 2, 11), satisfaction=4,
                            rated_at=D(2026, 11, 2, 11, 5)),
                CaseOutcome(sender_id="B", use_case="damaged_product", resolved_by="agent",
                            ticket_id=2, resolved_at=D(2026, 11, 2, 14), satisfaction=2,
                            rated_at=D(2026, 11, 2, 14, 10)),
            ]
        )  # fmt: skip
        # Conversations: A twice and B on the 2nd, E on the 3rd.
        for n, (sender, when) in enumerate(
            [("A", D(2026, 11, 2, 9)), ("A", D(2026, 11, 2, 9, 30)), ("B", D(2026, 11, 2, 11)),
             ("E", D(2026, 11, 3, 7, 50))]
        ):  # fmt: skip
            session.add(
                InboxMessage(wamid=f"w{n}", sender_id=sender, phone_number_id="1", type="text",
                             timestamp=0, body="{}", status="done", received_at=when)
            )  # fmt: skip
        # Media: A's accepted photo (T1; a strong reuse signal, also in T1's flags), B's
        # refused for too_dark and blurry (T2), F's refused for no_text (the bot's case),
        # G's never analysed (no case).
        _file(session, "A", D(2026, 11, 2, 9, 30), accepted=True,
              signals=[("reused_other_customer", "strong")])  # fmt: skip
        _file(session, "B", D(2026, 11, 2, 11, 50), accepted=False, problems=["too_dark", "blurry"])
        _file(session, "F", D(2026, 11, 4, 9), accepted=False, problems=["no_text"])
        _file(session, "G", D(2026, 11, 4, 9))
        # Cost: three billable service messages to A, one to E, one free one to B.
        for n, (to, billable) in enumerate([("A", True), ("A", True), ("A", True), ("E", True),
                                             ("B", False)]):  # fmt: skip
            session.add(
                OutboundMessage(wamid=f"o{n}", recipient_id=to, type="text", payload="{}",
                                status="delivered", category="service", billable=billable,
                                created_at=D(2026, 11, 2, 12))
            )  # fmt: skip
