"""``/metrics`` for Prometheus: ticket figures read from the database at scrape time (they
change in other processes too) and the console's own counters."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func

from helpdesk.console.cost_metrics import CostCollector
from helpdesk.console.dashboard_metrics import DashboardCollector
from helpdesk.console.security import api_agent
from helpdesk.db import session_scope
from helpdesk.db.models import Ticket

router = APIRouter()


class TicketCollector:
    def __init__(self, url: str | None) -> None:
        self.url = url

    def collect(self) -> Iterator[GaugeMetricFamily]:
        tickets = GaugeMetricFamily(
            "helpdesk_tickets", "Tickets by status and queue", labels=["status", "queue"]
        )
        first_reply = GaugeMetricFamily(
            "helpdesk_ticket_first_reply_seconds_avg",
            "Mean time from handoff to the first agent reply",
        )
        resolution = GaugeMetricFamily(
            "helpdesk_ticket_resolution_seconds_avg", "Mean time from handoff to resolution"
        )
        with session_scope(self.url) as session:
            for status, queue, count in session.query(
                Ticket.status, Ticket.queue, func.count(Ticket.id)
            ).group_by(Ticket.status, Ticket.queue):
                tickets.add_metric([status, queue], count)
            rows = session.query(Ticket.opened_at, Ticket.first_reply_at, Ticket.resolved_at).all()
        replies = [(r - o).total_seconds() for o, r, _ in rows if r is not None]
        solved = [(s - o).total_seconds() for o, _, s in rows if s is not None]
        first_reply.add_metric([], sum(replies) / len(replies) if replies else 0.0)
        resolution.add_metric([], sum(solved) / len(solved) if solved else 0.0)
        yield tickets
        yield first_reply
        yield resolution


class ConsoleMetrics:
    def __init__(self, url: str | None) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(TicketCollector(url))  # type: ignore[arg-type]
        self.registry.register(CostCollector(url))  # type: ignore[arg-type]
        self.registry.register(DashboardCollector(url))  # type: ignore[arg-type]
        self.replies = Counter(
            "helpdesk_console_replies",
            "Agent replies by delivery (sent, template, not_sent, failed)",
            ["delivery"],
            registry=self.registry,
        )
        self.logins = Counter(
            "helpdesk_console_sign_ins",
            "Sign-in attempts by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.media_views = Counter(
            "helpdesk_console_media_views", "Customer files shown to agents", registry=self.registry
        )


async def _authorised(request: Request) -> None:
    token = request.app.state.config.metrics_token
    header = request.headers.get("authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return
    await api_agent(request)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    await _authorised(request)
    state: Any = request.app.state
    body = await asyncio.to_thread(generate_latest, state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
