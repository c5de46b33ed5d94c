"""One supervising process for ``helpdesk run``: starts every child, restarts the ones that die.

Hand-written on asyncio and subprocess (about 300 lines) rather than a process manager
package: honcho (what ``make run`` used before) ends everything when one child exits;
supervisord and circus are daemons with their own configuration files, control sockets and
log rotation, and neither splits a child's output into a filtered terminal view and a
complete log file. What is needed here is small:

- each child runs in its own process group, so a stop reaches its own children too and a
  Ctrl-C in the terminal reaches only this process, which then stops them in order;
- a program with ``niceness`` drops to that CPU priority once it accepts connections (its
  start-up keeps full priority; ``helpdesk.priority`` says why and how);
- a child that exits while nobody asked for it is restarted, at once if it had been up a
  minute, else after a back-off (1 s, 2 s, 4 s … at most 30 s), with a line saying so, while
  the others keep serving;
- a program with ``standby=True`` also gets a warm spare once it is ready: a second copy
  started with ``HELPDESK_STANDBY=1`` that does its whole start-up and then waits for the
  line ``serve`` on its standard input before it accepts connections (``rasa_addons.serve``
  implements that for Rasa). When the running copy exits, the spare gets that line and
  takes over at once (a Rasa start is 20–60 s of imports and model loading), and a new
  spare warms up behind it (``spare_after`` seconds later). The spare's lines are named
  ``NAME-standby`` until it takes over; it exits when its standard input ends (this
  process is gone);
- every line of every child goes to the log file; the terminal shows the lines that
  ``visible(name, line)`` keeps (``helpdesk.logview`` hides third-party warnings);
- SIGINT, SIGTERM or SIGHUP stops every child (SIGTERM, then SIGKILL of the group after a grace
  period) and returns once none is left.

Production runs the same children under its own process manager (systemd, a container
restart policy); this module is for one machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from helpdesk.priority import yield_cpu

# Ctrl-C, `kill`, and a closed terminal (the children, in their own sessions, would not
# get the hang-up themselves and would outlive it).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# A log line may be long (a traceback repr, a JSON body): read up to 1 MiB before splitting.
_LINE_LIMIT = 1 << 20
# The standby protocol (see the module docstring; ``rasa_addons.serve`` is the other side).
STANDBY_ENV = "HELPDESK_STANDBY"
TAKE_OVER = b"serve\n"


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


@dataclass(frozen=True)
class Program:
    """One long-running child: a name for its lines, its argv and extra environment, and
    the TCP port it accepts connections on once it is ready (None: ready when started)."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    host: str = "127.0.0.1"
    # Keep a warm spare that takes over when this one exits (the module docstring).
    standby: bool = False
    # Once it accepts connections, its CPU niceness drops to this (0: unchanged), on its
    # tasks and its session's autogroup (helpdesk.priority).
    niceness: int = 0


@dataclass
class _Spare:
    process: asyncio.subprocess.Process
    pump: asyncio.Task
    # The name its lines carry: ``NAME-standby``, then ``NAME`` once it took over.
    label: list[str]
    promoted: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Child:
    program: Program
    process: asyncio.subprocess.Process | None = None
    started: float = 0.0
    delay: float | None = None
    restarts: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    spare: _Spare | None = None
    spare_delay: float | None = None

    def live_spare(self) -> _Spare | None:
        spare = self.spare
        return spare if spare is not None and spare.process.returncode is None else None


async def _accepts(host: str, port: int) -> bool:
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


def _describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


class Supervisor:
    def __init__(
        self,
        programs: Sequence[Program],
        *,
        env: dict[str, str],
        cwd: Path | str,
        log: IO[str],
        terminal: IO[str] | None = None,
        visible: Callable[[str, str], bool] = lambda name, line: True,
        backoff: Backoff | None = None,
        # Rasa 3.6 takes about 10 s to exit after SIGTERM (measured), so give it 15.
        grace: float = 15.0,
        # A spare starts this long after the running copy is ready: its start-up (a model
        # load) must not take the CPU from the messages that waited during an outage.
        spare_after: float = 15.0,
    ) -> None:
        self.children = [_Child(program) for program in programs]
        self.env = env
        self.cwd = str(cwd)
        self.log = log
        self.terminal = terminal or sys.stdout
        self.visible = visible
        self.backoff = backoff or Backoff()
        self.grace = grace
        self.spare_after = spare_after
        self._stopping: asyncio.Event | None = None
        self._width = max(
            [len(self._spare_name(child)) for child in self.children if child.program.standby]
            + [len(child.program.name) for child in self.children]
            + [3]
        )

    # --- output ---

    def say(self, text: str) -> None:
        """A line of the supervisor's own, on the terminal and in the log."""
        self._emit("run", text, show=True)

    def _emit(self, name: str, line: str, *, show: bool) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.log.write(f"{stamp} {name:<{self._width}} | {line}\n")
        self.log.flush()
        if show:
            self.terminal.write(f"{stamp} {name:<{self._width}} | {line}\n")
            self.terminal.flush()

    async def _pump(self, label: list[str], stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line over the limit: take what is buffered as one line
                raw = await stream.read(_LINE_LIMIT)
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            self._emit(label[0], line, show=self.visible(label[0], line))

    # --- children ---

    @staticmethod
    def _spare_name(child: _Child) -> str:
        return f"{child.program.name}-standby"

    async def _spawn(self, program: Program, *, spare: bool) -> asyncio.subprocess.Process:
        env = dict(self.env)
        env.update(program.env)
        if spare:
            env[STANDBY_ENV] = "1"
        return await asyncio.create_subprocess_exec(
            *program.argv,
            cwd=self.cwd,
            env=env,
            # A spare waits for its word on stdin, and sees its end if this process dies.
            stdin=asyncio.subprocess.PIPE if spare else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Its own process group (see the module docstring), in a session of its own:
            # also its own autogroup, whose priority ``niceness`` can then lower alone.
            start_new_session=True,
            limit=_LINE_LIMIT,
        )

    async def _start(self, child: _Child) -> tuple[asyncio.subprocess.Process, asyncio.Task]:
        """A fresh start of ``child``, or its warm spare taking over if it has a live one."""
        spare = child.live_spare()
        child.spare = None
        if spare is not None:
            assert spare.process.stdin is not None
            try:
                spare.process.stdin.write(TAKE_OVER)
                await spare.process.stdin.drain()
            except (OSError, RuntimeError):  # it died meanwhile (_keep_spare says so)
                spare = None
            else:
                spare.label[0] = child.program.name
                spare.promoted.set()
                child.process, pump = spare.process, spare.pump
        if spare is None:
            child.process = await self._spawn(child.program, spare=False)
            assert child.process.stdout is not None
            pump = asyncio.create_task(self._pump([child.program.name], child.process.stdout))
        child.started = time.monotonic()
        return child.process, pump

    async def _watch_ready(self, child: _Child, process: asyncio.subprocess.Process) -> None:
        """Set ``child.ready`` once it accepts connections; say so after a restart."""
        program = child.program
        while program.port is not None and process.returncode is None:
            if await _accepts(program.host, program.port):
                break
            await asyncio.sleep(0.25)
        if process.returncode is not None:
            return
        if program.niceness:
            done = await asyncio.to_thread(yield_cpu, process.pid, program.niceness)
            self._emit("run", f"{program.name} (pid {process.pid}) is ready: {done}", show=False)
        child.ready.set()
        if child.restarts:
            where = f" on port {program.port}" if program.port else ""
            self.say(f"{program.name} is back{where} (pid {process.pid})")

    @staticmethod
    async def _exited(process: asyncio.subprocess.Process) -> int:
        """The child's exit code as soon as it exits: ``Process.wait`` (Python 3.11) returns
        only once its pipes are closed too, but ``returncode`` is set at the exit."""
        while process.returncode is None:
            await asyncio.sleep(0.1)
        return process.returncode

    async def _keep_running(self, child: _Child) -> None:
        assert self._stopping is not None
        while not self._stopping.is_set():
            try:
                process, pump = await self._start(child)
            except OSError as error:  # a missing program, a wrong folder
                child.delay = self.backoff.delay(child.delay, 0.0)
                self.say(
                    f"could not start {child.program.name}: {error}; "
                    f"trying again in {child.delay:g} s"
                )
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=child.delay)
                continue
            ready = asyncio.create_task(self._watch_ready(child, process))
            # The exit, not the end of its output: a helper the child started may hold the
            # pipe open after a kill -9, and the restart must not wait for it.
            code = await self._exited(process)
            child.ready.clear()
            ready.cancel()
            # Whatever it started (its process group) goes with it, before a fresh start.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            # Its last lines (a traceback) are in the pipe: take them, briefly.
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(pump, timeout=2.0)
            if self._stopping.is_set():
                self._emit(
                    "run", f"{child.program.name} stopped ({_describe_exit(code)})", show=False
                )
                return
            uptime = time.monotonic() - child.started
            child.restarts += 1
            spare = child.live_spare()
            if spare is not None:
                self.say(
                    f"{child.program.name} {_describe_exit(code)} after {uptime:.0f} s; its "
                    f"standby (pid {spare.process.pid}) takes over (restart {child.restarts}); "
                    "the other processes keep running"
                )
                continue
            child.delay = self.backoff.delay(child.delay, uptime)
            self.say(
                f"{child.program.name} {_describe_exit(code)} after {uptime:.0f} s; "
                f"restarting in {child.delay:g} s (restart {child.restarts}); "
                "the other processes keep running"
            )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=child.delay)

    async def _until(self, event: asyncio.Event) -> None:
        """Wait for ``event``, or for the stop if that comes first."""
        assert self._stopping is not None
        waits = {asyncio.create_task(event.wait()), asyncio.create_task(self._stopping.wait())}
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()

    async def _keep_spare(self, child: _Child) -> None:
        """Keep a warm spare of ``child`` once the running copy accepts connections."""
        assert self._stopping is not None
        name = self._spare_name(child)
        while not self._stopping.is_set():
            await self._until(child.ready)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.spare_after)
            if self._stopping.is_set():
                return
            try:
                process = await self._spawn(child.program, spare=True)
            except OSError as error:
                child.spare_delay = self.backoff.delay(child.spare_delay, 0.0)
                self.say(f"could not start {name}: {error}; trying again in "
                         f"{child.spare_delay:g} s")  # fmt: skip
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=child.spare_delay)
                continue
            assert process.stdout is not None
            label = [name]
            spare = _Spare(process, asyncio.create_task(self._pump(label, process.stdout)), label)
            child.spare = spare
            started = time.monotonic()
            exited = asyncio.create_task(self._exited(process))
            promoted = asyncio.create_task(spare.promoted.wait())
            await asyncio.wait({exited, promoted}, return_when=asyncio.FIRST_COMPLETED)
            if spare.promoted.is_set():  # it runs as the child now: _keep_running has it
                exited.cancel()
                continue
            promoted.cancel()
            if child.spare is spare:
                child.spare = None
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(spare.pump, timeout=2.0)
            if self._stopping.is_set():
                return
            uptime = time.monotonic() - started
            child.spare_delay = self.backoff.delay(child.spare_delay, uptime)
            self.say(
                f"{name} {_describe_exit(exited.result())} after {uptime:.0f} s; starting "
                f"another in {child.spare_delay:g} s"
            )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=child.spare_delay)

    def _processes(self) -> list[tuple[str, asyncio.subprocess.Process]]:
        found = [(c.program.name, c.process) for c in self.children if c.process is not None]
        spares = [c for c in self.children if c.spare is not None]
        return found + [(self._spare_name(c), c.spare.process) for c in spares if c.spare]

    def _signal_groups(self, sig: int, *, exited_too: bool = False) -> None:
        for _name, process in self._processes():
            if exited_too or process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)

    def stop(self) -> None:
        """Ask every child to stop (idempotent; safe from a signal handler)."""
        if self._stopping is not None and not self._stopping.is_set():
            self._stopping.set()
            self._signal_groups(signal.SIGTERM)

    def pids(self) -> dict[str, int]:
        """The running children's process ids by name (for tests and status lines); a
        spare is named ``NAME-standby``."""
        return {
            name: process.pid for name, process in self._processes() if process.returncode is None
        }

    async def _announce(self, on_ready: Callable[[], object], patience: float) -> None:
        """Call ``on_ready`` once every child is ready; name the slow ones meanwhile."""
        waiting = [child.ready.wait() for child in self.children]
        everyone = asyncio.ensure_future(asyncio.gather(*waiting))
        while True:
            done, _ = await asyncio.wait({everyone}, timeout=patience)
            if done:
                break
            slow = ", ".join(c.program.name for c in self.children if not c.ready.is_set())
            self.say(f"still waiting for {slow} to accept connections…")
        on_ready()

    async def run(
        self, *, on_ready: Callable[[], object] | None = None, patience: float = 120.0
    ) -> int:
        """Run until SIGINT/SIGTERM/SIGHUP (or ``stop()``); returns once every child has exited.

        ``on_ready()`` is called once, when every child first accepts connections.
        """
        loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, self.stop)
        keepers = [asyncio.create_task(self._keep_running(child)) for child in self.children]
        keepers += [
            asyncio.create_task(self._keep_spare(child))
            for child in self.children
            if child.program.standby
        ]
        if on_ready is not None:
            keepers.append(asyncio.create_task(self._announce(on_ready, patience)))
        try:
            await self._stopping.wait()
            self.say("stopping every process…")
            if on_ready is not None:
                keepers.pop().cancel()  # the announcement has nothing left to say
            done, _ = await asyncio.wait(keepers, timeout=self.grace)
            if len(done) < len(keepers):
                late = ", ".join(self.pids())
                self.say(f"{late} did not stop within {self.grace:g} s of SIGTERM: killing")
                self._signal_groups(signal.SIGKILL)
                await asyncio.wait(keepers, timeout=self.grace)
        finally:
            for sig in _STOP_SIGNALS:
                loop.remove_signal_handler(sig)
            self._stopping.set()
            # Nothing is left behind, even on an error, nor what a child started itself.
            self._signal_groups(signal.SIGKILL, exited_too=True)
            for keeper in keepers:
                keeper.cancel()
            await asyncio.gather(*keepers, return_exceptions=True)
        self.say("every process has stopped")
        return 0
