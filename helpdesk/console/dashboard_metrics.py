"""The dashboard's figures on ``/metrics``, over everything the database keeps (the
dashboard with empty dates and no filters shows the same numbers). Ratios are 0–1
(``_ratio``), times in seconds; gauges, since they are read from the database at scrape
time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily

from helpdesk.db import session_scope
from helpdesk.reporting import report
from helpdesk.reporting.filters import Filters

PARTS = ("volume", "outcomes", "times", "satisfaction", "media")


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class DashboardCollector:
    def __init__(self, url: str | None) -> None:
        self.url = url

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with session_scope(self.url) as session:
            built = report.build(session, Filters(), only=PARTS)
        t = built.tables
        cases = GaugeMetricFamily(
            "helpdesk_cases",
            "Cases (handed-off tickets and cases the bot solved) by queue",
            labels=["queue"],
        )
        by_queue = t["cases_by_queue"]
        for n, queue in enumerate(by_queue.columns[1:], start=1):
            cases.add_metric([queue], sum(row[n] for row in by_queue.rows))
        yield cases
        outcomes = {row[0]: row for row in t["outcomes"].rows}
        for name, measure, text in (
            ("helpdesk_bot_containment_ratio", "bot containment", "Cases the bot solved alone"),
            (
                "helpdesk_first_contact_resolution_ratio",
                "first-contact resolution",
                "Solved cases solved in one contact",
            ),
            ("helpdesk_handoff_ratio", "handoff rate", "Cases handed to a person"),
        ):
            family = GaugeMetricFamily(name, text)
            family.add_metric([], _ratio(outcomes[measure][1], outcomes[measure][2]))
            yield family
        handoffs = GaugeMetricFamily(
            "helpdesk_handoffs", "Handed-off cases by reason", labels=["reason"]
        )
        for reason, count, _share in t["handoff_reasons"].rows:
            handoffs.add_metric([reason.replace(" ", "_")], count)
        yield handoffs
        first = GaugeMetricFamily(
            "helpdesk_ticket_first_response_seconds",
            "First agent reply after the handoff (bot time excluded): median and p90",
            labels=["queue", "quantile"],
        )
        solved = GaugeMetricFamily(
            "helpdesk_ticket_resolution_time_seconds",
            "Resolution after the handoff: median and p90",
            labels=["queue", "quantile"],
        )
        for queue, measure, _n, median, p90 in t["response_times"].rows:
            family = first if measure == "first response" else solved
            label = "all" if queue == "all queues" else queue
            for quantile, value in (("0.5", median), ("0.9", p90)):
                if value is not None:
                    family.add_metric([label, quantile], value * 60.0)
        yield first
        yield solved
        scores = GaugeMetricFamily(
            "helpdesk_satisfaction_ratings", "Satisfaction scores given", labels=["score"]
        )
        for score, count, _share in t["satisfaction"].rows:
            scores.add_metric([str(score)], count)
        yield scores
        for key, name, label in (
            ("csat_by_queue", "helpdesk_csat_ratio", "queue"),
            ("csat_by_agent", "helpdesk_agent_csat_ratio", "agent"),
        ):
            family = GaugeMetricFamily(name, f"Ratings of 4 or 5 by {label}", labels=[label])
            for row in t[key].rows:
                family.add_metric([row[0]], _ratio(row[2], row[1]))
            yield family
        files = GaugeMetricFamily(
            "helpdesk_media_files",
            "Customer files by use case and state (accepted, refused, not_analysed)",
            labels=["use_case", "state"],
        )
        for use_case, _total, accepted, refused, unread, _pct in t["media_received"].rows:
            for state, count in (
                ("accepted", accepted),
                ("refused", refused),
                ("not_analysed", unread),
            ):
                files.add_metric([use_case, state], count)
        yield files
        refusals = GaugeMetricFamily(
            "helpdesk_media_refusals",
            "Refused files by use case and reason",
            labels=["use_case", "reason"],
        )
        for use_case, reason, count in t["media_refusals"].rows:
            refusals.add_metric([use_case, reason], count)
        yield refusals
        # The one count of authenticity signals (helpdesk.reporting.signals, also the
        # dashboard's table): a gauge, since erasure and the retention purge lower it.
        signals = GaugeMetricFamily(
            "helpdesk_authenticity_signals",
            "Authenticity signals on handed-off cases (each once per ticket)",
            labels=["use_case", "signal", "severity"],
        )
        for use_case, signal, severity, count in t["authenticity"].rows:
            signals.add_metric([use_case, signal, severity], count)
        yield signals
