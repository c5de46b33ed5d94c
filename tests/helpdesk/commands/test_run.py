"""``helpdesk run`` for real, on the product's cheap processes (console and sandbox; Rasa is
covered by tests/e2e): the first admin, loopback listeners, a restart after SIGKILL, Ctrl-C,
and the production profile's refusal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from helpdesk.settings import PRODUCTION_SECRETS
from tests.support.servers import PROJECT_ROOT, free_port, wait_for_http

HELPDESK = [sys.executable, "-m", "helpdesk.cli"]


def _listeners(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp spells them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def _children(pid: int) -> dict[str, int]:
    """``helpdesk sandbox`` / ``helpdesk console`` children of ``pid`` by sub-command."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, ValueError):
            continue
        for command in ("sandbox", "console"):
            if parent == pid and command in argv:
                found[command] = int(entry.name)
    return found


class Run:
    """``helpdesk run`` in the background with its terminal output collected."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [*HELPDESK, "run", *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 90.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index, line in enumerate(self.lines):
                if text in line:
                    return index
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared:\n" + "\n".join(self.lines))

    def interrupt(self) -> int:
        os.kill(self.process.pid, signal.SIGINT)  # Ctrl-C
        return self.process.wait(timeout=30)


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({name: f"test-{name.lower()}" for name in PRODUCTION_SECRETS})
    env.update(
        {
            "PYTHONPATH": str(PROJECT_ROOT),
            "HELPDESK_PROFILE": "development",
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/helpdesk.db",
            "HELPDESK_MEDIA_STORE": f"file:{tmp_path}/media",
            "HELPDESK_CONSOLE_PORT": str(free_port()),
            "HELPDESK_SANDBOX_PORT": str(free_port()),
            "HELPDESK_RUN_LOG": str(tmp_path / "run.log"),
        }
    )
    return env


def test_run_supervises_the_console_and_sandbox_and_opens_with_a_first_admin(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    console_port = int(run_env["HELPDESK_CONSOLE_PORT"])
    sandbox_port = int(run_env["HELPDESK_SANDBOX_PORT"])
    run = Run(run_env, "--only", "console", "--only", "sandbox")
    try:
        ready = run.wait_for("Visual Helpdesk is ready")
        assert ready <= 8, run.lines  # the start-up lines a person reads before the URLs
        screen = "\n".join(run.lines)
        assert f"http://localhost:{console_port}" in screen
        match = re.search(r"sign in as 'admin' with password '([^']+)'", screen)
        assert match, screen
        password = match.group(1)
        login = httpx.post(
            f"http://127.0.0.1:{console_port}/api/login",
            json={"username": "admin", "password": password},
        )
        assert login.status_code == 200 and login.json()["token"]
        log = Path(run_env["HELPDESK_RUN_LOG"]).read_text(encoding="utf-8")
        assert password not in log  # shown once on the terminal, never written down
        assert "alembic.runtime.migration" in log and "alembic" not in screen
        assert _listeners(console_port) == {"0100007F"}  # 127.0.0.1 only
        assert _listeners(sandbox_port) == {"0100007F"}

        before = _children(run.process.pid)
        os.kill(before["sandbox"], signal.SIGKILL)
        run.wait_for("sandbox was killed by SIGKILL")
        run.wait_for(f"sandbox is back on port {sandbox_port}")
        wait_for_http(f"http://127.0.0.1:{sandbox_port}/sandbox/health")
        after = _children(run.process.pid)
        assert after["console"] == before["console"]  # the console kept serving
        assert after["sandbox"] != before["sandbox"]
        assert httpx.get(f"http://127.0.0.1:{console_port}/login").status_code == 200
    finally:
        code = run.interrupt()
    assert code == 0
    for pid in {**before, **after}.values():
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()
    assert not _listeners(console_port) and not _listeners(sandbox_port)

    again = Run(run_env, "--only", "console")
    try:
        again.wait_for("Visual Helpdesk is ready")
        assert "sign in as" not in "\n".join(again.lines)  # an agent exists: none is created
    finally:
        assert again.interrupt() == 0


def test_production_profile_refuses_to_start_naming_each_unsafe_setting(
    run_env: dict[str, str],
) -> None:
    for name in PRODUCTION_SECRETS:
        run_env.pop(name)
    done = subprocess.run(
        [*HELPDESK, "run", "--profile", "production"],
        cwd=PROJECT_ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    for named in (
        *(f"{name} is empty" for name in PRODUCTION_SECRETS),
        "WHATSAPP_GRAPH_URL=http://localhost:8001 is the local sandbox",
        "HELPDESK_SECURE_COOKIES is false",
        "HELPDESK_MEDIA_KEY is empty",
        "HELPDESK_SANDBOX_ENABLED is true",
    ):
        assert named in done.stderr
    assert "is ready" not in done.stdout
    assert not Path(run_env["HELPDESK_RUN_LOG"]).exists()  # nothing was started
