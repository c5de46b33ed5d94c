"""CPU seconds of each process of the production topology, sampled from ``/proc``.

Every process of ``tests.production.stack`` runs in a session of its own: its CPU is the
sum over that session (utime + stime, children it reaped included). PostgreSQL, Redis and
the S3 server are daemons: their leader and its children. The load generator is this
process. Used by ``bench/profile_turn.py`` and ``bench/bench_throughput.py``.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

from tests.production.stack import ProductionStack

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(session id, CPU seconds of the process and of its reaped children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # After the command: state ppid pgrp session … utime(14) stime(15) cutime(16) cstime(17)
    session = int(fields[3])
    return session, sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


def _all_stats() -> dict[int, tuple[int, float]]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                stats[int(entry)] = found
    return stats


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(raw[raw.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry))
    return found


class CpuMeter:
    """CPU seconds of each named group of processes, sampled at once."""

    def __init__(self, stack: ProductionStack) -> None:
        self.sessions = {
            name: process.popen.pid
            for name, process in stack.processes.items()
            if process.popen is not None
        }
        services = stack.services_dir
        self.single = {"postgresql": _postmaster(stack)}
        for name, pidfile in (("redis", "redis/redis.pid"), ("s3", "s3/moto.pid")):
            path = services / pidfile
            if path.exists():
                self.single[name] = int(path.read_text().split()[0])

    def sample(self) -> dict[str, float]:
        stats = _all_stats()
        by_session: dict[int, float] = collections.defaultdict(float)
        for session, seconds in stats.values():
            by_session[session] += seconds
        totals = {name: by_session.get(sid, 0.0) for name, sid in self.sessions.items()}
        for name, pid in self.single.items():
            # A daemon with its own children (PostgreSQL's backends): leader plus children.
            pids = [pid, *_children(pid)]
            totals[name] = sum(stats[p][1] for p in pids if p in stats)
        own = os.times()
        totals["load generator (this script)"] = own.user + own.system
        return totals


def _postmaster(stack: ProductionStack) -> int:
    (directory,) = stack.sql("SHOW data_directory")[0]
    return int(Path(directory, "postmaster.pid").read_text().split()[0])


def per_turn(before: dict[str, float], after: dict[str, float], turns: int) -> dict[str, float]:
    """CPU milliseconds per turn of each process between two samples."""
    return {
        name: round((after[name] - before.get(name, 0.0)) / max(turns, 1) * 1000, 1)
        for name in after
    }
