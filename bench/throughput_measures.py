"""What the throughput bench reads back from the topology it loaded: percentiles, the
ingest's ``Server-Timing`` header, where a reply's time goes (the product's timestamps and
Rasa's tracker events), the CPU milliseconds per turn grouped by process, the tracker's
event count and the action-server calls (nginx's internal access log)."""

from __future__ import annotations

from tests.production.stack import ProductionStack


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 1)


def server_timing(header: str | None) -> dict[str, float]:
    """``{"app": 3.1, "store": 2.2}`` from ``Server-Timing: app;dur=3.1, store;dur=2.2``."""
    found: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if rest.startswith("dur="):
            try:
                found[name] = float(rest[4:])
            except ValueError:
                continue
    return found


def _turn_events(stack: ProductionStack, pattern: str) -> dict[str, tuple[float, float]]:
    """Each sender's first user message and the last event of that turn in Rasa's tracker
    store (epoch seconds, Rasa's own clock): when the dialogue took the message in, and when
    it was done with it."""
    rows = stack.tracker_sql(
        "SELECT sender_id, type_name, timestamp FROM events WHERE sender_id LIKE :p ORDER BY id",
        p=pattern,
    )
    turns: dict[str, list[float]] = {}
    for sender, kind, stamp in rows:
        if kind == "user" and sender not in turns:
            turns[sender] = [float(stamp), float(stamp)]
        elif sender in turns and len(turns[sender]) == 2:
            if kind == "user":  # a second message: the first turn ended before it
                turns[sender].append(0.0)
            else:
                turns[sender][1] = float(stamp)
    return {sender: (t[0], t[1]) for sender, t in turns.items()}


def _spread(values: list[float]) -> dict:
    return {"p50": pct(values, 50), "p95": pct(values, 95), "n": len(values)}


def whatsapp_segments(stack: ProductionStack, prefix: str) -> dict:
    """Where a WhatsApp reply's time goes, from the product's own timestamps: stored by the
    ingest → taken in by Rasa (wake-up, claim, routing, the post to the replica, Rasa's lock
    and tracker) → the turn in Rasa → the reply's outbound row (the tracker saved, the answer
    back to the worker, the reply composed and reserved)."""
    turns = _turn_events(stack, prefix + "%")
    rows = stack.sql(
        "SELECT i.sender_id, EXTRACT(EPOCH FROM i.received_at), EXTRACT(EPOCH FROM o.created_at) "
        "FROM whatsapp_inbox i JOIN whatsapp_outbound o "
        "ON o.reply_to = i.wamid AND o.reply_seq = 0 WHERE i.sender_id LIKE :p",
        p=prefix + "%",
    )
    to_rasa, in_rasa, after = [], [], []
    for sender, received, replied in rows:
        if sender not in turns:
            continue
        took, done = turns[sender]
        to_rasa.append((took - float(received)) * 1000)
        in_rasa.append((done - took) * 1000)
        after.append((float(replied) - done) * 1000)
    return {
        "to_rasa_ms": _spread(to_rasa),
        "rasa_turn_ms": _spread(in_rasa),
        "to_reply_ms": _spread(after),
    }


def rest_segments(stack: ProductionStack, tag: str, spans: dict) -> dict:
    """The same split of a REST turn: request sent → taken in by Rasa → the turn → the
    answer received (the tracker saved, the response through nginx)."""
    turns = _turn_events(stack, f"rest-{tag}-%")
    to_rasa, in_rasa, after = [], [], []
    for sender, (start, end) in spans.items():
        if sender not in turns:
            continue
        took, done = turns[sender]
        to_rasa.append((took - start) * 1000)
        in_rasa.append((done - took) * 1000)
        after.append((end - done) * 1000)
    return {
        "to_rasa_ms": _spread(to_rasa),
        "rasa_turn_ms": _spread(in_rasa),
        "to_reply_ms": _spread(after),
    }


# Processes summed under one name in the CPU figures (replicas, action servers).
def _cpu_groups(cpu: dict[str, float]) -> dict[str, float]:
    groups: dict[str, float] = {}
    for name, ms in cpu.items():
        key = name.split("-")[0] if name.startswith(("rasa-", "actions-")) else name
        groups[key] = round(groups.get(key, 0.0) + ms, 1)
    # What runs on a deployment's machines (not Meta's stand-in nor the customers).
    outside = ("sandbox", "load generator (this script)")
    groups["product total"] = round(sum(v for k, v in groups.items() if k not in outside), 1)
    return groups


def tracker_events(stack: ProductionStack) -> tuple[int]:
    from sqlalchemy import create_engine, text

    url = stack.database_url.rsplit("/", 1)[0] + "/tracker"
    with create_engine(url, future=True).connect() as connection:
        return (int(connection.execute(text("SELECT count(*) FROM events")).scalar_one()),)


def action_calls(stack: ProductionStack) -> dict:
    log = stack.folder / "nginx" / "actions.log"
    times = []
    failed = 0
    if log.exists():
        for line in log.read_text().splitlines():
            try:
                times.append(float(line.split()[0]) * 1000)
                failed += line.split()[-1] != "200"
            except (IndexError, ValueError):
                continue
    return {
        "calls": len(times),
        "failed": failed,
        "p50_ms": pct(times, 50),
        "total_ms": round(sum(times)),
    }
