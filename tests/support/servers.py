"""Start real servers for tests: an ASGI app in a thread, or a process, on a free port.

API (all block until the server answers HTTP, and stop it on exit)::

    from tests.support.servers import free_port, serve_app, start_process, wait_for_http

    port = free_port()                           # a TCP port nobody listens on right now

    with serve_app(app) as url:                  # any ASGI app (FastAPI, Starlette) under
        httpx.get(url + "/health")               # uvicorn in a background thread
    with serve_app(app, port=port, path="/health") as url: ...

    with start_process(["rasa", "run", ...], port=5005, path="/", env={...},
                       timeout=180) as proc:     # a subprocess; ``proc.url``, ``proc.log()``
        ...                                      # (its combined output so far),
    proc.kill() / proc.restart()                 # hard kill (SIGKILL) and start again

    wait_for_http(url, timeout=30)               # poll until any HTTP answer (< 500)

``start_process`` puts the project root on ``PYTHONPATH`` (Rasa imports ``channels`` and
``actions`` from there), runs the command in its own process group and kills the whole group
at exit, and raises with the process's output if it dies or never answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(
    url: str, *, timeout: float = 30.0, alive: Any = None, describe: Any = None
) -> None:
    """Poll ``url`` until it answers below 500; ``alive()`` False aborts early."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"server for {url} exited early\n{describe() if describe else ''}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError as error:
            last = error
        time.sleep(0.1)
    raise TimeoutError(
        f"{url} did not answer within {timeout}s ({last!r})\n{describe() if describe else ''}"
    )


@contextlib.contextmanager
def serve_app(
    app: Any, *, port: int | None = None, path: str = "/", timeout: float = 20.0
) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a daemon thread; yields its base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + path, timeout=timeout, alive=thread.is_alive)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Process:
    """A started subprocess with its URL and captured output."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        port: int,
        path: str = "/",
        env: dict[str, str] | None = None,
        cwd: Path | str = PROJECT_ROOT,
        timeout: float = 60.0,
    ) -> None:
        self.argv = list(argv)
        self.port = port
        self.path = path
        self.url = f"http://127.0.0.1:{port}"
        self.cwd = str(cwd)
        self.timeout = timeout
        environment = dict(os.environ)
        environment.update(env or {})
        paths = [str(PROJECT_ROOT), *environment.get("PYTHONPATH", "").split(os.pathsep)]
        environment["PYTHONPATH"] = os.pathsep.join(p for p in dict.fromkeys(paths) if p)
        self.env = environment
        self._log = tempfile.NamedTemporaryFile(prefix="proc-", suffix=".log", delete=False)  # noqa: SIM115
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.popen = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_http(
            self.url + self.path,
            timeout=self.timeout,
            alive=lambda: self.popen is not None and self.popen.poll() is None,
            describe=self.log,
        )
        return self

    def log(self) -> str:
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")[-20000:]

    def _signal(self, sig: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash, not a clean shutdown)."""
        self._signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        if self.popen is not None:
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> Process:
        self.stop()
        return self.start()


@contextlib.contextmanager
def start_process(
    argv: Sequence[str],
    *,
    port: int,
    path: str = "/",
    env: dict[str, str] | None = None,
    cwd: Path | str = PROJECT_ROOT,
    timeout: float = 60.0,
) -> Iterator[Process]:
    process = Process(argv, port=port, path=path, env=env, cwd=cwd, timeout=timeout)
    try:
        yield process.start()
    finally:
        process.stop()
        with contextlib.suppress(OSError):
            os.unlink(process._log.name)
