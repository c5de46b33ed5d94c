"""Per-message cost: Meta's ``pricing`` on statuses recorded, priced by market and category."""

from __future__ import annotations

import pytest

from helpdesk.console.cost_metrics import CostCollector
from helpdesk.db import session_scope
from helpdesk.db.models import CaseOutcome
from helpdesk.db.models.base import utcnow
from helpdesk.errors import ConfigurationError
from helpdesk.settings import get_settings
from helpdesk.whatsapp import identity
from helpdesk.whatsapp.pricing import billing_of, cost_summary, market_of, parse_prices
from helpdesk.whatsapp.records import apply_status, mark_accepted, record_outbound
from helpdesk.whatsapp.webhook import Status

PRICES = "US:service=0.004,marketing=0.025;BR:service=0.0068;*:service=0.002"


def test_the_price_table_is_read_and_a_bad_entry_is_refused() -> None:
    assert parse_prices(PRICES)["BR"] == {"service": 0.0068}
    assert parse_prices("") == {}
    for bad in ("USA:service=1", "US:service=-1", "US:service=free", "US"):
        with pytest.raises(ConfigurationError, match="WHATSAPP_PRICES"):
            parse_prices(bad)


def test_billability_follows_type_when_billable_is_missing() -> None:
    assert billing_of({"category": "service", "type": "free_customer_service"}).billable is False
    assert billing_of({"category": "utility", "type": "regular"}).billable is True
    assert (
        billing_of({"billable": False, "category": "marketing", "type": "regular"}).billable
        is False
    )
    assert billing_of({}) is None
    assert billing_of({"category": ["not", "a", "string"]}).category is None


def test_the_market_comes_from_the_bsuid_or_the_calling_code() -> None:
    assert market_of(user_id="BR.1234567") == "BR"
    assert market_of(phone="5511987654321") == "BR"
    assert market_of(phone="15551234567") == "US"
    assert market_of(phone="2348031234567") == "NG"
    assert market_of(phone="8613800000000") == "*"


def _sent(session, key: str, wamid: str, pricing: dict) -> None:  # type: ignore[no-untyped-def]
    outbound_id = record_outbound(session, recipient_id=key, payload={"type": "text"})
    mark_accepted(session, outbound_id=outbound_id, wamid=wamid)
    apply_status(
        session,
        status=Status(
            wamid=wamid, status="delivered", recipient_id="", timestamp=1, pricing=pricing
        ),
    )


def test_cost_per_case_and_per_resolved_case(database_url: str) -> None:
    service = {"billable": True, "category": "service", "type": "regular", "pricing_model": "PMP"}
    free = {"billable": False, "category": "service", "type": "free_customer_service"}
    with session_scope(database_url) as session:
        identity.observe(session, user_id="BR.99887766")  # username-only, market BR
        identity.observe(session, phone="15551234567")
        _sent(session, "BR.99887766", "w1", service)
        _sent(session, "BR.99887766", "w2", service)
        _sent(session, "15551234567", "w3", service)
        _sent(session, "15551234567", "w4", free)
        session.add(
            CaseOutcome(
                sender_id="15551234567",
                resolved_by="bot",
                first_contact=True,
                fixes_tried=1,
                resolved_at=utcnow(),
            )
        )
        session.flush()
        summary = cost_summary(session, prices=parse_prices(PRICES))
    assert summary.billable_messages == {"service": 3}
    assert summary.cost == pytest.approx(2 * 0.0068 + 0.004)
    assert summary.cases == 2
    assert summary.per_case == pytest.approx((2 * 0.0068 + 0.004) / 2)
    assert summary.per_resolved_case == pytest.approx(2 * 0.0068 + 0.004)


def test_the_metrics_show_cost_per_case(database_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WHATSAPP_PRICES", PRICES)
    get_settings.cache_clear()
    service = {"billable": True, "category": "service", "type": "regular"}
    with session_scope(database_url) as session:
        identity.observe(session, user_id="US.1234567")
        _sent(session, "US.1234567", "w1", service)
    try:
        families = {f.name: f for f in CostCollector(database_url).collect()}
    finally:
        monkeypatch.delenv("WHATSAPP_PRICES")
        get_settings.cache_clear()
    per_case = families["helpdesk_whatsapp_cost_per_case"].samples[0]
    assert per_case.value == pytest.approx(0.004) and per_case.labels == {"currency": "USD"}
    assert families["helpdesk_whatsapp_billable_messages"].samples[0].value == 1
