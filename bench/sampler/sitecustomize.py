"""A sampling profiler for the benchmark's processes (no py-spy on this machine).

Put this folder on a process's ``PYTHONPATH`` and set ``HELPDESK_BENCH_SAMPLES=DIR``:
``helpdesk worker`` and ``helpdesk ingest`` then sample every thread's Python stack every
5 ms, with whether the thread was on a CPU (``R`` in ``/proc``) or waiting, and write
``DIR/<command>-<pid>.txt`` (``state count stack``, the most frequent first) every two
seconds and at exit::

    .venv/bin/python bench/bench_throughput.py ... \
        --env PYTHONPATH=bench/sampler --env HELPDESK_BENCH_SAMPLES=/tmp/samples

Python imports ``sitecustomize`` at start-up; nothing here runs in other processes, nor
without the variable. The sampler takes the GIL 200 times a second: figures from a sampled
run are for finding where the time goes, not for the benchmark's table.
"""

from __future__ import annotations

import os
import sys

_DIR = os.environ.get("HELPDESK_BENCH_SAMPLES")
_COMMANDS = ("worker", "ingest")


def _start(directory: str, command: str) -> None:
    import atexit
    import collections
    import threading
    import time

    counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def state(native_id: int | None) -> str:
        try:
            raw = open(f"/proc/self/task/{native_id}/stat").read()  # noqa: SIM115
        except OSError:
            return "?"
        return raw[raw.rindex(")") + 2]

    def stack(frame) -> str:  # type: ignore[no-untyped-def]
        names = []
        while frame is not None:
            code = frame.f_code
            names.append(f"{code.co_name} ({os.path.basename(code.co_filename)}:{frame.f_lineno})")
            frame = frame.f_back
        return ";".join(reversed(names))

    def sample() -> None:
        me = threading.get_ident()
        written = time.monotonic()
        while True:
            time.sleep(0.005)
            if time.monotonic() - written > 2.0:  # a kill -9 at the end loses 2 s at most
                dump()
                written = time.monotonic()
            natives = {t.ident: t.native_id for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                where = state(natives.get(ident))
                if where != "R" and frame.f_code.co_filename.endswith(
                    ("runners.py", "threading.py", "thread.py", "queue.py", "selectors.py")
                ):
                    continue  # idle: an event loop, a pool thread or a listener waiting
                counts[(where, stack(frame))] += 1

    def dump() -> None:
        path = os.path.join(directory, f"{command}-{os.getpid()}.txt")
        with open(path, "w") as out:
            for (where, frames), n in counts.most_common():
                out.write(f"{where} {n} {frames}\n")

    os.makedirs(directory, exist_ok=True)
    atexit.register(dump)
    threading.Thread(target=sample, name="bench-sampler", daemon=True).start()


if _DIR and len(sys.argv) > 1 and sys.argv[1] in _COMMANDS:
    _start(_DIR, sys.argv[1])
