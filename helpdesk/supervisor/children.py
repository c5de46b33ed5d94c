"""A supervised child: what it is (``Program``), how it is started, when it is ready.

Each child runs in a process group and a session of its own (``start_new_session``): a stop
reaches whatever it started too, a Ctrl-C in the terminal reaches only the supervisor, and
the session is its own scheduling autogroup, whose priority ``helpdesk.priority`` can lower
alone. Its standard output and error are one pipe, read line by line by the supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

# A log line may be long (a traceback repr, a JSON body): read up to 1 MiB before splitting.
LINE_LIMIT = 1 << 20
# The standby protocol (``helpdesk.supervisor.standby``; ``rasa_addons.serve`` is the other
# side): a spare is started with this variable set to 1 and serves once it reads TAKE_OVER.
STANDBY_ENV = "HELPDESK_STANDBY"
TAKE_OVER = b"serve\n"


@dataclass(frozen=True)
class Program:
    """One long-running child: a name for its lines, its argv and extra environment, and
    the TCP port it accepts connections on once it is ready (None: ready when started)."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    host: str = "127.0.0.1"
    # Keep a warm spare that takes over when this one exits (helpdesk.supervisor.standby).
    standby: bool = False
    # Once it accepts connections, its CPU niceness goes to this (0: unchanged; negative:
    # raised, where the supervisor may), on its tasks and its session's autogroup
    # (helpdesk.priority).
    niceness: int = 0


@dataclass
class Spare:
    """A warm copy of a child, waiting on its standard input to take over."""

    process: asyncio.subprocess.Process
    pump: asyncio.Task
    # The name its lines carry: ``NAME-standby``, then ``NAME`` once it took over.
    label: list[str]
    promoted: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Child:
    """What the supervisor knows of one program: its running process, restarts, spare."""

    program: Program
    process: asyncio.subprocess.Process | None = None
    started: float = 0.0
    delay: float | None = None
    restarts: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    spare: Spare | None = None
    spare_delay: float | None = None

    def live_spare(self) -> Spare | None:
        spare = self.spare
        return spare if spare is not None and spare.process.returncode is None else None


async def spawn(
    program: Program, *, env: dict[str, str], cwd: str, spare: bool
) -> asyncio.subprocess.Process:
    """Start ``program`` (as a spare: with ``STANDBY_ENV`` and a pipe on its stdin)."""
    environment = dict(env)
    environment.update(program.env)
    if spare:
        environment[STANDBY_ENV] = "1"
    return await asyncio.create_subprocess_exec(
        *program.argv,
        cwd=cwd,
        env=environment,
        # A spare waits for its word on stdin, and sees its end if the supervisor dies.
        stdin=asyncio.subprocess.PIPE if spare else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        # Its own process group, in a session of its own (the module docstring).
        start_new_session=True,
        limit=LINE_LIMIT,
    )


async def accepts(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on ``host:port`` right now."""
    # A wildcard listener is reached through loopback.
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(target, port), timeout=1)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def exited(process: asyncio.subprocess.Process) -> int:
    """The child's exit code as soon as it exits: ``Process.wait`` (Python 3.11) returns
    only once its pipes are closed too, but ``returncode`` is set at the exit."""
    while process.returncode is None:
        await asyncio.sleep(0.1)
    return process.returncode
