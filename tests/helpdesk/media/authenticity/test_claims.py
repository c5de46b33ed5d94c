"""Evidence against the claim: every contradiction flagged when the fields were read, and
nothing flagged when the receipt agrees (real receipt totals and dates from labels.csv)."""

from __future__ import annotations

import csv
from datetime import date

from helpdesk.db import session_scope
from helpdesk.db.models import Ticket
from helpdesk.media.authenticity.claims import (
    amount_mismatch,
    check_claim,
    claimed_date,
    future_date,
    transaction_reused,
)
from tests.helpdesk.media.authenticity.evalset import DATA

TODAY = date(2026, 12, 1)


def _receipts() -> list[tuple[str, str]]:
    rows = []
    with (DATA / "labels.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["total"]:
                rows.append((row["file"], row["total"].removeprefix("RM")))
    return rows


def test_a_claimed_120_against_a_total_of_12_is_flagged_with_the_decimal_hint() -> None:
    signal = amount_mismatch(claimed="120", read="12,00", currency="EUR")
    assert signal is not None and signal.code.value == "amount_mismatch"
    assert "factor of ten" in signal.explanation
    assert signal.evidence["claimed"] == "120" and signal.evidence["read"] == "12.00"


def test_every_real_receipt_total_is_flagged_when_the_claim_differs_and_not_when_it_agrees() -> (
    None
):
    receipts = _receipts()
    assert len(receipts) >= 15
    for name, total in receipts:
        read = [{"type": "total", "value": f"{total} MYR", "amount": total, "currency": "MYR"}]
        agrees = check_claim(read_fields=read, said=f"I paid {total} RM", today=TODAY)
        assert agrees == [], name
        doubled = f"{float(total) * 2 + 5:.2f}"
        found = check_claim(
            read_fields=read, said="", confirmed=[{"type": "amount", "value": doubled}], today=TODAY
        )
        assert [s.code.value for s in found] == ["amount_mismatch"], name


def test_yesterday_against_a_date_last_year_and_a_future_date() -> None:
    read = [{"type": "date", "value": "2025-11-20"}]
    found = check_claim(read_fields=read, said="me cobraron ayer dos veces", today=TODAY)
    assert [s.code.value for s in found] == ["date_mismatch"]
    assert found[0].severity.value == "strong" and found[0].evidence["days_apart"] == 375
    assert (
        check_claim(
            read_fields=[{"type": "date", "value": "2026-11-30"}], said="yesterday", today=TODAY
        )
        == []
    )
    future = future_date(read=date(2027, 1, 5), today=TODAY)
    assert future is not None and future.code.value == "future_date"
    assert future_date(read=date(2026, 12, 2), today=TODAY) is None  # time zones
    assert claimed_date("I paid on 12/03/2024", today=TODAY) == (date(2024, 3, 12), "12/03/2024")


def test_a_transaction_id_in_another_customers_dispute_is_flagged(database_url: str) -> None:
    with session_scope() as session:
        session.add(
            Ticket(
                sender_id="34600000001", use_case="payment_dispute", queue="payments",
                priority="normal", status="resolved", trigger="triage", summary="",
                fields=[{"type": "transaction_id", "value": "TXN88123456"}],
            )
        )  # fmt: skip
        session.flush()
        other = transaction_reused(session, transaction_ids=["txn88123456"], sender_id="346999")
        same = transaction_reused(session, transaction_ids=["TXN88123456"], sender_id="34600000001")
    assert [s.code.value for s in other] == ["transaction_id_reused"]
    assert same == []
