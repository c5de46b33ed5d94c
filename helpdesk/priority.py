"""A child's CPU priority, lowered once it is ready (``yield_cpu``).

The dialogue's processes (Rasa, the action servers) take hundreds of milliseconds of CPU a
turn; a webhook acknowledgement (ingest, nginx, PostgreSQL) takes a few. With both cores
busy with turns, the acknowledgement waited for the turns' time slices (ack p99 132 ms with
two replicas saturated). ``HELPDESK_DIALOGUE_NICENESS`` lowers the dialogue's priority so
that the acknowledgements win the CPU; a turn loses little, they are a small share of it.

Two knobs, because of the kernel's autogroup scheduling
(``/proc/sys/kernel/sched_autogroup_enabled``, on by default on desktop and most server
kernels): every child runs in a session of its own (``start_new_session``, so that Ctrl-C in
the terminal reaches the supervisor only and a stop can kill the child's whole group), and
each session is one scheduling group whose share is set by the group's own nice
(``/proc/<pid>/autogroup``), not by its tasks' nice values: ``nice`` alone changed nothing
between a replica and the ingest (measured: two CPU burners in two sessions, nice 10 vs 0,
got 2.05 s and 2.04 s of CPU; with the session nice 10, 0.28 s and 2.49 s). Without
autogroups (off, or inside a cgroup such as a systemd unit or a container) the tasks' nice
value is what counts, so both are set.

Only once the child is ready: a lowered Rasa on a machine busy with other work took more
than 400 s to load its model (the shared 2-core development machine at load 10-17), while
its start competes with nothing the customers wait for. A restart is a fresh process at the
supervisor's priority, lowered again once it is ready.

Off by default: the autogroups rank the dialogue below every other session of the machine,
not only below the product's own. On the shared 2-core development machine (load 7-15 from
other work) the dialogue at 10 got so little CPU that REST took 30 s at 4 turns/s (0.14 s
off), and at 5 the ack p99 was no better than off. For a machine of the product's own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path

# The kernel takes one autogroup change per 100 ms from an unprivileged process (EAGAIN in
# between), for the whole machine: try for a while.
_AUTOGROUP_ATTEMPTS = 40
_AUTOGROUP_PAUSE = 0.05


def autogroup_nice(pid: int) -> int | None:
    """The nice value of ``pid``'s autogroup (None: the kernel has no autogroups)."""
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text(encoding="ascii")
    except OSError:
        return None
    return parse_autogroup(text)


def parse_autogroup(text: str) -> int | None:
    """The nice value in the text of a ``/proc/<pid>/autogroup`` file, None if it names none.

    "/autogroup-7904 nice 10"; empty when the task is in no autogroup (inside a cgroup of its
    own, as in a container or a systemd unit): that is no autogroup to lower.
    """
    fields = text.split()
    if len(fields) != 3 or fields[1] != "nice":
        return None
    try:
        return int(fields[2])
    except ValueError:
        return None


def _task_ids(pid: int) -> list[int]:
    try:
        return [int(entry.name) for entry in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        return [pid]


def _move(current: int, niceness: int) -> bool:
    """Whether ``current`` goes to ``niceness``: a lower priority (positive) never raises a
    task already lower; a higher one (negative) never lowers a task already higher."""
    return current < niceness if niceness > 0 else current > niceness


def _set_task_priority(pid: int, niceness: int) -> None:
    """Every thread of ``pid``'s process group (or of ``pid`` alone, if it leads none) at
    ``niceness`` (see ``_move``)."""
    if os.getpgid(pid) == pid and os.getpgid(0) != pid:
        # Every thread of every process in the group: Rasa's TensorFlow threads too.
        if _move(os.getpriority(os.PRIO_PGRP, pid), niceness):
            os.setpriority(os.PRIO_PGRP, pid, niceness)
        return
    for task in _task_ids(pid):
        with contextlib.suppress(ProcessLookupError):
            if _move(os.getpriority(os.PRIO_PROCESS, task), niceness):
                os.setpriority(os.PRIO_PROCESS, task, niceness)


def _set_autogroup_priority(pid: int, niceness: int) -> bool:
    """The autogroup of ``pid``'s session at ``niceness``, if ``pid`` leads a session of its
    own (never the caller's: that would move the supervisor and the terminal with it)."""
    if os.getsid(pid) != pid or os.getsid(0) == pid:
        return False
    current = autogroup_nice(pid)
    if current is None or not _move(current, niceness):
        return current is not None
    path = Path(f"/proc/{pid}/autogroup")
    for _ in range(_AUTOGROUP_ATTEMPTS):
        try:
            path.write_text(str(niceness), encoding="ascii")
            return True
        except OSError as error:
            if error.errno != errno.EAGAIN:
                return False
        time.sleep(_AUTOGROUP_PAUSE)
    return False


def yield_cpu(pid: int, niceness: int) -> str:
    """Set the CPU priority of the child ``pid`` (and whatever it started) to ``niceness``:
    a positive one lowers it; a negative one raises it, which only a process allowed to
    (``CAP_SYS_NICE``: root, or systemd's ``Nice=``) can do — otherwise it stays as it is.
    Returns what was done, for the log. Blocks up to about two seconds (the kernel's pace
    for autogroup changes)."""
    if niceness == 0:
        return "priority unchanged"
    try:
        _set_task_priority(pid, niceness)
        grouped = _set_autogroup_priority(pid, niceness)
    except (ProcessLookupError, PermissionError) as error:
        return f"priority unchanged ({error})"
    where = "its session's autogroup and its tasks" if grouped else "its tasks"
    moved = "lowered" if niceness > 0 else "raised"
    return f"CPU priority {moved} to nice {niceness} ({where})"
