"""The supervisor's loop: every child started, restarted when it dies, all stopped at the end.

- a program with ``niceness`` drops to that CPU priority once it accepts connections (its
  start-up keeps full priority; ``helpdesk.priority`` says why and how);
- a child that exits while nobody asked for it is restarted (``helpdesk.supervisor.policy``)
  with a line saying so, while the others keep serving; a program with a warm spare
  (``helpdesk.supervisor.standby``) has it take over instead;
- every line of every child goes to the log file; the terminal shows the lines that
  ``visible(name, line)`` keeps (``helpdesk.logview`` hides third-party warnings);
- SIGINT, SIGTERM or SIGHUP stops every child (SIGTERM, then SIGKILL of the group after a grace
  period) and returns once none is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from helpdesk.priority import yield_cpu
from helpdesk.supervisor.children import LINE_LIMIT, Child, Program, accepts, exited, spawn
from helpdesk.supervisor.policy import Backoff, describe_exit
from helpdesk.supervisor.standby import Standby

# Ctrl-C, `kill`, and a closed terminal (the children, in their own sessions, would not
# get the hang-up themselves and would outlive it).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Supervisor(Standby):
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
        self.children = [Child(program) for program in programs]
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
                raw = await stream.read(LINE_LIMIT)
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            self._emit(label[0], line, show=self.visible(label[0], line))

    # --- children ---

    async def _start(self, child: Child) -> tuple[asyncio.subprocess.Process, asyncio.Task]:
        """A fresh start of ``child``, or its warm spare taking over if it has a live one."""
        promoted = await self._promote(child)
        if promoted is not None:
            child.process, pump = promoted
        else:
            child.process = await spawn(child.program, env=self.env, cwd=self.cwd, spare=False)
            assert child.process.stdout is not None
            pump = asyncio.create_task(self._pump([child.program.name], child.process.stdout))
        child.started = time.monotonic()
        return child.process, pump

    async def _watch_ready(self, child: Child, process: asyncio.subprocess.Process) -> None:
        """Set ``child.ready`` once it accepts connections; say so after a restart."""
        program = child.program
        while program.port is not None and process.returncode is None:
            if await accepts(program.host, program.port):
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

    async def _keep_running(self, child: Child) -> None:
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
            code = await exited(process)
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
                    "run", f"{child.program.name} stopped ({describe_exit(code)})", show=False
                )
                return
            uptime = time.monotonic() - child.started
            child.restarts += 1
            spare = child.live_spare()
            if spare is not None:
                self.say(
                    f"{child.program.name} {describe_exit(code)} after {uptime:.0f} s; its "
                    f"standby (pid {spare.process.pid}) takes over (restart {child.restarts}); "
                    "the other processes keep running"
                )
                continue
            child.delay = self.backoff.delay(child.delay, uptime)
            self.say(
                f"{child.program.name} {describe_exit(code)} after {uptime:.0f} s; "
                f"restarting in {child.delay:g} s (restart {child.restarts}); "
                "the other processes keep running"
            )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=child.delay)

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
