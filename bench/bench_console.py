"""Agent console JSON API latency with a full queue.

Fills a fresh SQLite database with 2,000 tickets (each with a 6-line transcript), serves
the real console app (uvicorn, one process), signs in once, then calls — interleaved, so
all see the same machine load — ``GET /api/me`` (the baseline: bearer-token check and
nothing else), ``GET /api/tickets?status=active`` (the queue poll, 200 rows) and
``GET /api/tickets/{id}`` (one ticket with transcript and media).

Figures: p50/p99 of each and their ratio to the baseline. Writes var/bench/console.json.

    .venv/bin/python bench/bench_console.py [--tickets 2000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.support.servers import serve_app  # noqa: E402


def percentile(values: list[float], q: int) -> float:
    """The ``q``-th percentile (1..99), interpolated between the samples."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    url = f"sqlite:///{folder}/helpdesk.db"
    os.environ.update(
        HELPDESK_DATABASE_URL=url,
        HELPDESK_MEDIA_STORE=f"file:{folder}/media",
        WHATSAPP_ACCESS_TOKEN="t",
        WHATSAPP_APP_SECRET="s",
        WHATSAPP_VERIFY_TOKEN="v",
    )
    from helpdesk import db
    from helpdesk.console.agents import add_agent
    from helpdesk.console.app import ConsoleConfig, create_app
    from helpdesk.settings import get_settings
    from helpdesk.tickets import core

    get_settings.cache_clear()
    db.upgrade(url)
    with db.session_scope(url) as session:
        add_agent(session, username="bench", password="bench-password", role="admin")
        for n in range(args.tickets):
            core.open_ticket(
                session,
                sender_id=f"1555{n:07d}",
                use_case="damaged_product",
                queue=("returns", "payments", "software")[n % 3],
                priority=("low", "normal", "high", "urgent")[n % 4],
                summary="The jar arrived cracked and leaks.",
                transcript=[
                    {"who": "customer" if i % 2 else "bot", "text": f"line {i}"} for i in range(6)
                ],
                fields=[{"type": "serial_number", "value": f"SN{n}"}],
            )
    app = create_app(ConsoleConfig(session_secret="b" * 40, database_url=url))
    samples: dict[str, list[float]] = {"baseline /api/me": [], "queue": [], "ticket": []}
    with serve_app(app, path="/login") as base, httpx.Client(base_url=base, timeout=30) as client:
        token = client.post(
            "/api/login", json={"username": "bench", "password": "bench-password"}
        ).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        calls = {
            "baseline /api/me": "/api/me",
            "queue": "/api/tickets?status=active",
            "ticket": f"/api/tickets/{args.tickets // 2}",
        }
        for path in calls.values():  # warm up
            client.get(path).raise_for_status()
        for _ in range(args.rounds):
            for name, path in calls.items():
                start = time.perf_counter()
                client.get(path).raise_for_status()
                samples[name].append((time.perf_counter() - start) * 1000)
    base_p50 = statistics.median(samples["baseline /api/me"])
    result = {"tickets": args.tickets, "rounds": args.rounds, "figures": {}}
    for name, values in samples.items():
        p50, p99 = statistics.median(values), percentile(values, 99)
        result["figures"][name] = {
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "p50_ratio_to_baseline": round(p50 / base_p50, 2),
        }
        print(f"{name:<18} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ×{p50 / base_p50:5.2f} baseline")
    out = ROOT / "var" / "bench" / "console.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
