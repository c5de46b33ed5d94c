"""Warm spares: a second copy of a program, started up and waiting to take over.

A program with ``standby=True`` gets a spare once its running copy is ready (``spare_after``
seconds later, so that the spare's start-up — a model load — does not take the CPU from the
messages that waited during an outage): the same command with ``HELPDESK_STANDBY=1``, which
does its whole start-up and then waits for the line ``serve`` on its standard input before
it accepts connections (``rasa_addons.serve`` implements that for Rasa). When the running
copy exits, the spare gets that line and takes over at once (a Rasa start is 20–60 s of
imports and model loading), and a new spare warms up behind it. The spare's lines are named
``NAME-standby`` until it takes over; it exits when its standard input ends (the supervisor
is gone).

``Standby`` is the supervisor's part that does this (``helpdesk.supervisor.running`` mixes
it in); the attributes it reads are the supervisor's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

from helpdesk.supervisor.children import TAKE_OVER, Child, Spare, exited, spawn
from helpdesk.supervisor.policy import Backoff, describe_exit


class Standby:
    env: dict[str, str]
    cwd: str
    backoff: Backoff
    spare_after: float
    _stopping: asyncio.Event | None

    # The supervisor's (``helpdesk.supervisor.running``).
    def say(self, text: str) -> None:
        raise NotImplementedError

    async def _pump(self, label: list[str], stream: asyncio.StreamReader) -> None:
        raise NotImplementedError

    @staticmethod
    def _spare_name(child: Child) -> str:
        return f"{child.program.name}-standby"

    async def _promote(
        self, child: Child
    ) -> tuple[asyncio.subprocess.Process, asyncio.Task] | None:
        """The live spare of ``child`` told to take over: its process and line pump, or
        None when it has none (or it died meanwhile: ``_keep_spare`` says so)."""
        spare = child.live_spare()
        child.spare = None
        if spare is None:
            return None
        assert spare.process.stdin is not None
        try:
            spare.process.stdin.write(TAKE_OVER)
            await spare.process.stdin.drain()
        except (OSError, RuntimeError):
            return None
        spare.label[0] = child.program.name
        spare.promoted.set()
        return spare.process, spare.pump

    async def _until(self, event: asyncio.Event) -> None:
        """Wait for ``event``, or for the stop if that comes first."""
        assert self._stopping is not None
        waits = {asyncio.create_task(event.wait()), asyncio.create_task(self._stopping.wait())}
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()

    async def _keep_spare(self, child: Child) -> None:
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
                process = await spawn(child.program, env=self.env, cwd=self.cwd, spare=True)
            except OSError as error:
                child.spare_delay = self.backoff.delay(child.spare_delay, 0.0)
                self.say(f"could not start {name}: {error}; trying again in "
                         f"{child.spare_delay:g} s")  # fmt: skip
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=child.spare_delay)
                continue
            assert process.stdout is not None
            label = [name]
            spare = Spare(process, asyncio.create_task(self._pump(label, process.stdout)), label)
            child.spare = spare
            started = time.monotonic()
            ended = asyncio.create_task(exited(process))
            promoted = asyncio.create_task(spare.promoted.wait())
            await asyncio.wait({ended, promoted}, return_when=asyncio.FIRST_COMPLETED)
            if spare.promoted.is_set():  # it runs as the child now: _keep_running has it
                ended.cancel()
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
                f"{name} {describe_exit(ended.result())} after {uptime:.0f} s; starting "
                f"another in {child.spare_delay:g} s"
            )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=child.spare_delay)
