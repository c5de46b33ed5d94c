"""What each message costs: Meta's ``pricing`` on status webhooks, and a price table.

Since July 2025 Meta bills per delivered message (per-message pricing, ``pricing_model``
``PMP``); every ``sent``/``delivered``/``read`` status carries ``pricing`` with the
``category`` (marketing, utility, authentication, service…) and ``type`` (``regular`` is
charged; ``free_customer_service`` and ``free_entry_point`` are not). ``billable`` is
deprecated but still sent; where it is missing ``type`` decides. Rates depend on the
recipient's market, so the price table (``WHATSAPP_PRICES``) is per market and category:

    WHATSAPP_PRICES="US:marketing=0.025,utility=0.004,service=0.004;*:service=0.003"

``*`` is the rate for any market not listed. A customer's market is the country code of
their BSUID (``US.1349…``), or the one of their phone number's calling code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from helpdesk.db.models import CaseOutcome, OutboundMessage, WhatsAppIdentity
from helpdesk.errors import ConfigurationError

ANY_MARKET = "*"
_MARKET = re.compile(r"[A-Z]{2}|\*")
_CATEGORY = re.compile(r"[a-z_]{1,32}")

# Calling codes of the markets Meta prices separately or most customers come from; the
# longest prefix wins, anything else is priced as ``*``.
CALLING_CODES = {
    "1": "US", "7": "RU", "20": "EG", "27": "ZA", "31": "NL", "33": "FR", "34": "ES",
    "39": "IT", "44": "GB", "48": "PL", "49": "DE", "51": "PE", "52": "MX", "54": "AR",
    "55": "BR", "56": "CL", "57": "CO", "60": "MY", "62": "ID", "90": "TR", "91": "IN",
    "92": "PK", "234": "NG", "966": "SA", "971": "AE", "972": "IL",
}  # fmt: skip

Prices = dict[str, dict[str, float]]


def parse_prices(text: str | None) -> Prices:
    """``WHATSAPP_PRICES`` → ``{market: {category: price}}``; a bad entry is refused with
    a message naming it (never priced silently as zero)."""
    prices: Prices = {}
    for block in (text or "").split(";"):
        block = block.strip()
        if not block:
            continue
        market, _, rates = block.partition(":")
        market = market.strip().upper()
        if not _MARKET.fullmatch(market) or not rates.strip():
            raise ConfigurationError(
                f"WHATSAPP_PRICES: {block!r} is not MARKET:category=price,… "
                "(MARKET a two-letter country code or *); fix it in .env"
            )
        for rate in rates.split(","):
            category, _, price = rate.strip().partition("=")
            try:
                value = float(price)
            except ValueError:
                value = -1.0
            if not _CATEGORY.fullmatch(category.strip()) or value < 0:
                raise ConfigurationError(
                    f"WHATSAPP_PRICES: {rate.strip()!r} in {market} is not category=price "
                    "(a price ≥ 0 per delivered message); fix it in .env"
                )
            prices.setdefault(market, {})[category.strip()] = value
    return prices


@dataclass(frozen=True)
class Billing:
    category: str | None
    billable: bool | None
    type: str | None


def billing_of(pricing: dict[str, Any]) -> Billing | None:
    """What a status webhook's ``pricing`` says (None when there is none)."""
    if not isinstance(pricing, dict) or not pricing:
        return None
    category = pricing.get("category")
    kind = pricing.get("type")
    billable = pricing.get("billable")
    if not isinstance(billable, bool):
        billable = kind == "regular" if isinstance(kind, str) else None
    return Billing(
        category=str(category)[:32] if isinstance(category, str) else None,
        billable=billable,
        type=str(kind)[:32] if isinstance(kind, str) else None,
    )


def record_billing(row: OutboundMessage, pricing: dict[str, Any]) -> None:
    billing = billing_of(pricing)
    if billing is not None:
        row.category, row.billable, row.pricing_type = (
            billing.category,
            billing.billable,
            billing.type,
        )


def market_of(*, phone: str | None = None, user_id: str | None = None) -> str:
    if user_id and re.match(r"[A-Z]{2}\.", user_id):
        return user_id[:2]
    digits = (phone or "").lstrip("+")
    for length in (3, 2, 1):
        market = CALLING_CODES.get(digits[:length])
        if market:
            return market
    return ANY_MARKET


def price(prices: Prices, *, market: str, category: str | None) -> float:
    if not category:
        return 0.0
    for table in (prices.get(market) or {}, prices.get(ANY_MARKET) or {}):
        if category in table:
            return table[category]
    return 0.0


@dataclass(frozen=True)
class CostSummary:
    billable_messages: dict[str, int]  # by category
    cost: float
    cases: int  # customers the bot wrote to
    resolved_cases: int

    @property
    def per_case(self) -> float:
        return self.cost / self.cases if self.cases else 0.0

    @property
    def per_resolved_case(self) -> float:
        return self.cost / self.resolved_cases if self.resolved_cases else 0.0


def recipient_market(key: str, phone: str | None, user_id: str | None) -> str:
    """The market of a ``billable_counts`` row: the identity's BSUID or phone, else the
    recipient id itself (a BSUID or a phone number)."""
    return market_of(phone=phone or (None if user_id else key), user_id=user_id or key)


def _between(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    return [
        column >= since if since else true(),
        column < until if until else true(),
    ]


def billable_counts(
    *,
    day: ColumnElement | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """Billable messages sent from ``since`` up to (not including) ``until`` (either end
    open when None), counted per recipient and category, and per ``day`` (then the first
    column) when given: ``[day,] recipient_id, category, count, phone, user_id``, the last
    two the recipient's identity if it has one (for ``recipient_market``). One query for
    the live cost figures and the dashboard's daily rollup, so the two count alike."""
    by_day = [] if day is None else [day]
    keys = (
        OutboundMessage.recipient_id,
        OutboundMessage.category,
        WhatsAppIdentity.phone,
        WhatsAppIdentity.user_id,
    )
    return (
        select(
            *by_day,
            OutboundMessage.recipient_id,
            OutboundMessage.category,
            func.count(OutboundMessage.id),
            WhatsAppIdentity.phone,
            WhatsAppIdentity.user_id,
        )
        .outerjoin(WhatsAppIdentity, WhatsAppIdentity.key == OutboundMessage.recipient_id)
        .where(
            OutboundMessage.billable.is_(True),
            *_between(OutboundMessage.created_at, since, until),
        )
        .group_by(*by_day, *keys)
    )


def cost_summary(
    session: Session,
    *,
    prices: Prices,
    since: datetime | None = None,
    until: datetime | None = None,
) -> CostSummary:
    """Billable messages and their cost over everything the channel keeps, or over the
    messages sent and cases resolved from ``since`` up to (not including) ``until``."""
    rows = session.execute(billable_counts(since=since, until=until)).all()
    counts: dict[str, int] = {}
    cost = 0.0
    for key, category, count, phone, user_id in rows:
        counts[category or "unknown"] = counts.get(category or "unknown", 0) + count
        market = recipient_market(key, phone, user_id)
        cost += count * price(prices, market=market, category=category)
    sent = _between(OutboundMessage.created_at, since, until)
    cases = session.execute(
        select(func.count(func.distinct(OutboundMessage.recipient_id))).where(*sent)
    ).scalar_one()
    solved = _between(CaseOutcome.resolved_at, since, until)
    resolved = session.execute(select(func.count(CaseOutcome.id)).where(*solved)).scalar_one()
    return CostSummary(counts, round(cost, 6), int(cases or 0), int(resolved or 0))
