"""What one turn costs, process by process: WhatsApp beside Rasa's REST channel.

Starts the production topology (``tests/production/stack.py``, one replica unless told,
the REST channel routed too) with PostgreSQL's ``pg_stat_statements`` loaded, warms it up,
then for each channel sends a fixed batch of first messages from distinct customers at a
low rate (far from saturation, so queueing does not blur the costs) and reports:

- CPU seconds per turn of every process (utime + stime from ``/proc``, the process's whole
  session including children it reaped): nginx, the ingest process, each Rasa replica,
  each action server, the console, the sandbox (Meta's stand-in: it sends three status
  webhooks per reply back), PostgreSQL (postmaster, backends and reaped backends), Redis,
  the S3 server, and this load generator;
- SQL statements per turn (``pg_stat_statements`` calls, per database, BEGIN/COMMIT
  counted) and transactions per turn (``pg_stat_database.xact_commit``), with the most
  frequent statements;
- ``--py-spy DIR``: after the measured batches, one more WhatsApp batch sampled by py-spy
  (``py-spy`` on the PATH or ``--py-spy-bin``) in every Python process of the topology,
  each summarised as the functions with the most samples (DIR holds the raw stacks).
  Sampling slows the sampled processes, so its batch is not part of the CPU figures.

    .venv/bin/python bench/profile_turn.py [--turns 60] [--rate 3] [--replicas 1]
        [--base-port 8555] [--py-spy var/bench/pyspy]

Writes var/bench/profile_turn.json. A measuring tool, not a benchmark with goals.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.bench_throughput import TEXTS, action_calls, open_loop, rest_phase, whatsapp_phase  # noqa: E402
from bench.cpu_meter import CpuMeter  # noqa: E402
from tests.production.stack import ProductionStack  # noqa: E402


def _load_pg_stat_statements(stack: ProductionStack) -> None:
    """Restart PostgreSQL with pg_stat_statements preloaded (before the topology connects)."""
    _sql(stack, "helpdesk", "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
    (directory,) = _sql(stack, "helpdesk", "SHOW data_directory")[0]
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run(
        [
            *as_pg,
            str(pg_bin / "pg_ctl"),
            "-D",
            directory,
            "-l",
            str(Path(directory).parent / "log"),
            "-w",
            "-m",
            "fast",
            "restart",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    for database in ("helpdesk", "tracker"):
        _sql(stack, database, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def _sql(stack: ProductionStack, database: str, statement: str) -> list[Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    url = stack.database_url.rsplit("/", 1)[0] + "/" + database
    engine = create_engine(url, future=True, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        result = connection.execute(text(statement))
        return list(result) if result.returns_rows else []


class ProfiledStack(ProductionStack):
    def _start_engines(self) -> dict[str, str]:
        engines = super()._start_engines()
        self.database_url = engines["HELPDESK_DATABASE_URL"]
        try:
            _load_pg_stat_statements(self)
        except BaseException:
            self._stop_engines()
            raise
        return engines


def sql_counts(stack: ProductionStack) -> dict[str, Any]:
    rows = _sql(
        stack,
        "helpdesk",
        "SELECT d.datname, s.query, s.calls, s.total_exec_time FROM pg_stat_statements s "
        "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname IN ('helpdesk', 'tracker')",
    )
    xacts = _sql(
        stack,
        "helpdesk",
        "SELECT datname, xact_commit + xact_rollback FROM pg_stat_database "
        "WHERE datname IN ('helpdesk', 'tracker')",
    )
    return {
        "statements": {(db, query): int(calls) for db, query, calls, _ms in rows},
        "exec_ms": {(db, query): float(ms) for db, query, _calls, ms in rows},
        "transactions": {db: int(n) for db, n in xacts},
    }


def sql_delta(before: dict[str, Any], after: dict[str, Any], turns: int) -> dict[str, Any]:
    per_db: dict[str, float] = collections.defaultdict(float)
    top = []
    for key, calls in after["statements"].items():
        delta = calls - before["statements"].get(key, 0)
        if delta > 0:
            per_db[key[0]] += delta
            ms = after["exec_ms"][key] - before["exec_ms"].get(key, 0.0)
            top.append((delta / turns, key[0], " ".join(key[1].split())[:150], ms / turns))
    top.sort(reverse=True)
    return {
        "statements_per_turn": {db: round(n / turns, 2) for db, n in per_db.items()},
        "transactions_per_turn": {
            db: round((n - before["transactions"].get(db, 0)) / turns, 2)
            for db, n in after["transactions"].items()
        },
        # ``exec_ms_per_turn``: the server's execution time (pg_stat_statements), not its CPU.
        "top": [
            {"per_turn": round(n, 2), "db": db, "query": query, "exec_ms_per_turn": round(ms, 3)}
            for n, db, query, ms in top[:25]
        ],
    }


def _settle(stack: ProductionStack, seconds: float = 3.0) -> None:
    """Wait until the status webhooks of the last replies are in (the sandbox sends them)."""
    time.sleep(seconds)


def measure(stack: ProductionStack, meter: CpuMeter, channel: str, args: Any) -> dict[str, Any]:
    base = stack.topology.public_url
    tag = f"prof-{channel}-{time.monotonic_ns()}"
    seconds = args.turns / args.rate
    calls_before = action_calls(stack)["calls"]
    sql_before = sql_counts(stack)
    cpu_before = meter.sample()
    if channel == "rest":
        result = asyncio.run(rest_phase(base, args.rate, seconds, tag))
    elif channel == "whatsapp":
        # Webhooks signed here, from numbers the sandbox never saw (the "known" column
        # has the customers the sandbox knows).
        result = asyncio.run(
            whatsapp_phase(stack, base, args.rate, seconds, tag, through_sandbox=False)
        )
    else:
        result = asyncio.run(sandbox_phase(stack, args.rate, args.turns))
    _settle(stack)
    cpu_after = meter.sample()
    sql_after = sql_counts(stack)
    cpu = {
        name: round((cpu_after[name] - cpu_before.get(name, 0.0)) / args.turns * 1000, 1)
        for name in cpu_after
    }
    return {
        "turns": args.turns,
        "latency": result,
        "cpu_ms_per_turn": cpu,
        "cpu_ms_per_turn_total": round(sum(cpu.values()), 1),
        "sql": sql_delta(sql_before, sql_after, args.turns),
        "action_calls_per_turn": round(
            (action_calls(stack)["calls"] - calls_before) / args.turns, 2
        ),
    }


async def sandbox_phase(stack: ProductionStack, rate: float, count: int) -> dict[str, Any]:
    """Customers the sandbox knows write through it (as on a phone): their replies are
    delivered (sent, delivered statuses), where the bench's own webhooks come from numbers
    the sandbox never saw, so Meta's stand-in fails every reply (131026, undeliverable)."""
    prefix = f"3471{os.getpid() % 1000:03d}{int(time.time()) % 100:02d}"
    senders = [f"{prefix}{i:04d}" for i in range(count)]
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def one(i: int) -> None:
            await client.post(
                f"{stack.sandbox_url}/sandbox/customers/{senders[i]}/messages",
                json={"text": TEXTS[i % len(TEXTS)]},
            )

        await open_loop(rate, count, one)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        (done,) = stack.sql(
            "SELECT count(*) FROM whatsapp_inbox WHERE sender_id LIKE :p AND status = 'done'",
            p=prefix + "%",
        )[0]
        if done >= count:
            break
        await asyncio.sleep(1)
    statuses = stack.sql(
        "SELECT status, count(*) FROM whatsapp_outbound WHERE recipient_id LIKE :p GROUP BY status",
        p=prefix + "%",
    )
    return {"answered": done, "outbound_statuses": {s: int(n) for s, n in statuses}}


def py_spy(stack: ProductionStack, args: Any) -> dict[str, Any]:
    binary = args.py_spy_bin or shutil.which("py-spy")
    if not binary:
        return {"error": "py-spy not found (pip install py-spy, or --py-spy-bin)"}
    folder = Path(args.py_spy)
    folder.mkdir(parents=True, exist_ok=True)
    seconds = args.turns / args.rate
    recorders = {}
    for name, process in stack.processes.items():
        if name in ("nginx",) or process.popen is None:
            continue
        out = folder / f"{name}.txt"
        recorders[name] = (
            subprocess.Popen(
                [binary, "record", "--pid", str(process.popen.pid), "--rate", "100",
                 "--duration", str(int(seconds + 5)), "--format", "raw", "--nonblocking",
                 "--subprocesses", "-o", str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            out,
        )  # fmt: skip
    time.sleep(1)
    asyncio.run(
        whatsapp_phase(stack, stack.topology.public_url, args.rate, seconds, f"spy{os.getpid()}")
    )
    summary = {}
    for name, (recorder, out) in recorders.items():
        recorder.wait(timeout=seconds + 60)
        summary[name] = _summarise(out)
    return summary


def _summarise(path: Path, top: int = 15) -> dict[str, Any]:
    """Samples per function (anywhere on the stack, so ``inclusive``) from py-spy's raw file."""
    if not path.exists():
        return {"samples": 0}
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = {frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0] + ")"
                  for frame in stack.split(";")[1:]}  # fmt: skip
        for frame in frames:
            inclusive[frame] += n
    return {
        "samples": total,
        "inclusive": [
            {"share": round(n / max(total, 1), 3), "function": f}
            for f, n in inclusive.most_common(top)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--rate", type=float, default=3.0)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--base-port", type=int, default=8555)
    parser.add_argument("--py-spy", default=None, help="also sample with py-spy into DIR")
    parser.add_argument("--py-spy-bin", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="profile-turn-"))
    load = os.getloadavg()
    report: dict[str, Any] = {"load_average_before": [round(x, 2) for x in load]}
    with ProfiledStack(
        folder, replicas=args.replicas, base_port=args.base_port, rest_channel=True
    ) as stack:
        base = stack.topology.public_url
        asyncio.run(rest_phase(base, 2.0, 4, "warm"))
        asyncio.run(whatsapp_phase(stack, base, 2.0, 4, "warm", through_sandbox=False))
        _settle(stack)
        meter = CpuMeter(stack)
        for channel in ("rest", "whatsapp", "whatsapp_known"):
            report[channel] = measure(stack, meter, channel, args)
        if args.py_spy:
            report["py_spy"] = py_spy(stack, args)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    _print(report)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "profile_turn.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def _print(report: dict[str, Any]) -> None:
    rest, wa, known = report["rest"], report["whatsapp"], report["whatsapp_known"]
    print(f"\nCPU ms per turn ({rest['turns']} turns each; load before "
          f"{report['load_average_before']}, after {report['load_average_after']})")  # fmt: skip
    print(f"  {'process':<32}{'REST':>8}{'WhatsApp':>10}{'known':>8}")
    for name in sorted(wa["cpu_ms_per_turn"], key=lambda n: -wa["cpu_ms_per_turn"][n]):
        row = [run["cpu_ms_per_turn"].get(name, 0) for run in (rest, wa, known)]
        print(f"  {name:<32}{row[0]:>8}{row[1]:>10}{row[2]:>8}")
    print(f"  {'total':<32}{rest['cpu_ms_per_turn_total']:>8}{wa['cpu_ms_per_turn_total']:>10}"
          f"{known['cpu_ms_per_turn_total']:>8}")  # fmt: skip
    print("  (known: customers the sandbox knows, writing through it; see sandbox_phase)")
    for label, run in (("REST", rest), ("WhatsApp", wa), ("WhatsApp, known", known)):
        sql = run["sql"]
        print(f"\n{label}: SQL statements per turn {sql['statements_per_turn']}, "
              f"transactions per turn {sql['transactions_per_turn']}, action calls per turn "
              f"{run['action_calls_per_turn']}; latency {run['latency']}")  # fmt: skip
        for row in sql["top"][:18]:
            print(f"  {row['per_turn']:>6} {row['exec_ms_per_turn']:>7.3f} ms {row['db']:<9} "
                  f"{row['query']}")  # fmt: skip
    for name, summary in (report.get("py_spy") or {}).items():
        if not isinstance(summary, dict) or not summary.get("samples"):
            continue
        print(f"\npy-spy {name}: {summary['samples']} samples")
        for row in summary["inclusive"]:
            print(f"  {row['share']:>6.1%} {row['function']}")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    sys.exit(main())
