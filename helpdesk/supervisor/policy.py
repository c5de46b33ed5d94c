"""When a child that died is started again, and how its end is told (the restart policy)."""

from __future__ import annotations

import contextlib
import signal
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delays between restarts of one child: doubling from ``first`` up to ``longest``."""

    first: float = 1.0
    longest: float = 30.0
    # A child that stayed up this long was healthy: it is restarted at once, and a crash
    # soon after that waits ``first`` again.
    stable_after: float = 60.0

    def delay(self, previous: float | None, uptime: float) -> float:
        if uptime >= self.stable_after:
            return 0.0  # a crash after a healthy run: no reason to wait
        if not previous:
            return self.first
        return min(previous * 2, self.longest)


def describe_exit(code: int) -> str:
    """A child's exit status in words, for the line that says it stopped."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"
