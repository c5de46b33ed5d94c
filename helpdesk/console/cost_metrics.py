"""WhatsApp cost figures for ``/metrics``: billable messages and cost per case, read from the
outbound records at scrape time and priced with ``WHATSAPP_PRICES``."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily

from helpdesk.db import session_scope
from helpdesk.settings import get_settings
from helpdesk.whatsapp.pricing import cost_summary, parse_prices


class CostCollector:
    def __init__(self, url: str | None) -> None:
        self.url = url

    def collect(self) -> Iterator[GaugeMetricFamily]:
        settings = get_settings()
        prices = parse_prices(settings.whatsapp_prices)
        currency = settings.whatsapp_price_currency
        with session_scope(self.url) as session:
            summary = cost_summary(session, prices=prices)
        billable = GaugeMetricFamily(
            "helpdesk_whatsapp_billable_messages",
            "Delivered messages Meta bills, by category",
            labels=["category"],
        )
        for category, count in sorted(summary.billable_messages.items()):
            billable.add_metric([category], count)
        yield billable
        for name, text, value in (
            ("helpdesk_whatsapp_cost", "What Meta bills for all messages", summary.cost),
            ("helpdesk_whatsapp_cost_per_case", "Cost per customer written to", summary.per_case),
            (
                "helpdesk_whatsapp_cost_per_resolved_case",
                "Cost per resolved case",
                summary.per_resolved_case,
            ),
        ):
            family = GaugeMetricFamily(name, f"{text} ({currency})", labels=["currency"])
            family.add_metric([currency], value)
            yield family
