"""Reading the kernel's autogroup file, as different kernels and containers write it."""

from __future__ import annotations

import pytest

from helpdesk.priority import parse_autogroup


@pytest.mark.parametrize(
    ("text", "nice"),
    [
        ("/autogroup-7904 nice 10\n", 10),
        ("/autogroup-12 nice -5\n", -5),
        # A task inside a cgroup of its own (a container, a systemd unit) is in no autogroup:
        # the kernel prints nothing, and there is nothing to lower.
        ("", None),
        ("\n", None),
        ("/autogroup-1 nice\n", None),
        ("garbage here now\n", None),
    ],
)
def test_the_autogroup_nice_is_read_or_none(text: str, nice: int | None) -> None:
    assert parse_autogroup(text) == nice


def _can_raise() -> bool:
    """Whether this process may raise a priority (CAP_SYS_NICE, or an RLIMIT_NICE above 20)."""
    import os
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NICE)
    return os.geteuid() == 0 or soft > 20


def test_a_child_is_raised_above_the_others_only_where_that_is_allowed() -> None:
    """The ingest's acknowledgements may run ahead of the dialogue (a negative niceness):
    with the right to raise, the child and its session's autogroup get it; without it, the
    child keeps its priority and the log line says so."""
    import os
    import subprocess
    import sys

    from helpdesk.priority import autogroup_nice, yield_cpu

    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    try:
        before = os.getpriority(os.PRIO_PROCESS, child.pid)
        said = yield_cpu(child.pid, -3)
        if _can_raise():
            assert said.startswith("CPU priority raised to nice -3")
            assert os.getpriority(os.PRIO_PROCESS, child.pid) == -3
            assert autogroup_nice(child.pid) in (-3, None)  # None: no autogroups here
        else:
            assert said.startswith("priority unchanged")
            assert os.getpriority(os.PRIO_PROCESS, child.pid) == before
        # Lowering it later still works (the dialogue's processes are lowered so).
        assert yield_cpu(child.pid, 5).startswith("CPU priority lowered to nice 5")
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 5
    finally:
        child.kill()
        child.wait()
