"""The supervisor for real: cheap HTTP servers as children, killed with SIGKILL, stopped
with Ctrl-C (SIGINT) or SIGTERM, and checked through the process table and their ports."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from helpdesk.priority import autogroup_nice
from helpdesk.supervisor import Backoff
from tests.support.servers import PROJECT_ROOT, free_port, wait_for_http

# Runs the real Supervisor in its own process, as `helpdesk run` does, on the programs given
# as JSON in argv[1]; the log goes to argv[2].
DRIVER = """
import asyncio, json, sys
from helpdesk.supervisor import Backoff, Program, Supervisor
programs = [Program(**p) for p in json.loads(sys.argv[1])]
with open(sys.argv[2], "a", encoding="utf-8") as log, open("/dev/null", "w") as terminal:
    supervisor = Supervisor(programs, env=dict(__import__("os").environ), cwd=".", log=log,
                            terminal=terminal, backoff=Backoff(first=0.2, longest=1.0),
                            grace=float(sys.argv[3]), spare_after=0.2)
    sys.exit(asyncio.run(supervisor.run(on_ready=lambda: print("READY", flush=True))))
"""


def _http_server(name: str, port: int) -> dict:
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    return {"name": name, "argv": argv, "port": port}


def _children(pid: int) -> dict[str, int]:
    """The direct children of ``pid`` by their port argument (from the process table): an
    ``http.server`` or a ``python -c`` whose last argument is the port."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) != pid:
            continue
        if b"http.server" in argv:
            found[argv[argv.index(b"http.server") + 1].decode()] = int(entry.name)
        elif b"-c" in argv:
            found[argv[-2].decode()] = int(entry.name)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose but its table entry.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _start(programs: list[dict], log: Path, grace: float = 5.0) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, json.dumps(programs), str(log), str(grace)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert driver.stdout is not None
    assert driver.stdout.readline().strip() == "READY"  # every child accepts connections
    return driver


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_killed_child_comes_back_while_the_others_keep_serving(
    tmp_path: Path, stop_signal: int
) -> None:
    ports = [free_port() for _ in range(3)]
    log = tmp_path / "run.log"
    programs = [_http_server(name, port) for name, port in zip(("a", "b", "c"), ports, strict=True)]
    driver = _start(programs, log)
    try:
        before = _children(driver.pid)
        assert sorted(before) == sorted(str(port) for port in ports)
        victim = str(ports[1])
        os.kill(before[victim], signal.SIGKILL)
        # The others answer all along, with the same processes.
        for port in (ports[0], ports[2]):
            assert httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
        _wait(lambda: _children(driver.pid).get(victim) not in (None, before[victim]))
        wait_for_http(f"http://127.0.0.1:{victim}/", timeout=20)
        after = _children(driver.pid)
        assert after[str(ports[0])] == before[str(ports[0])]
        assert after[str(ports[2])] == before[str(ports[2])]
        _wait(lambda: "b is back" in log.read_text())
        text = log.read_text()
        assert "b was killed by SIGKILL" in text and "restarting in 0.2 s (restart 1)" in text
    finally:
        os.kill(driver.pid, stop_signal)  # what Ctrl-C or `kill` does to `helpdesk run`
        assert driver.wait(timeout=20) == 0
    every = {**before, **after}
    assert not [pid for pid in every.values() if _alive(pid)]
    for port in ports:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
    assert "every process has stopped" in log.read_text()


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    port = free_port()
    stubborn = (
        "import signal, sys, runpy; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"sys.argv = ['http.server', '{port}', '--bind', '127.0.0.1']; "
        "runpy.run_module('http.server', run_name='__main__')"
    )
    log = tmp_path / "run.log"
    driver = _start([{"name": "stubborn", "argv": [sys.executable, "-c", stubborn], "port": port}],
                    log, grace=1.0)  # fmt: skip
    child = next(
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and (entry / "stat").exists()
        and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == driver.pid
    )
    os.kill(driver.pid, signal.SIGTERM)
    assert driver.wait(timeout=20) == 0
    assert not _alive(child)
    assert "stubborn did not stop within 1 s of SIGTERM: killing" in log.read_text()


def test_restarts_back_off_and_a_stable_child_starts_over() -> None:
    backoff = Backoff(first=1, longest=30, stable_after=60)
    delays, previous = [], None
    for _ in range(7):
        previous = backoff.delay(previous, uptime=2)
        delays.append(previous)
    assert delays == [1, 2, 4, 8, 16, 30, 30]
    # A crash after a healthy run is restarted at once; a crash soon after that waits again.
    assert backoff.delay(30, uptime=61) == 0
    assert backoff.delay(0, uptime=2) == 1


def test_a_killed_child_whose_own_child_holds_its_output_comes_back_at_once(
    tmp_path: Path,
) -> None:
    """A child's leftover process (a helper it started) keeps the output pipe open after
    ``kill -9``: the restart must not wait for that pipe to close."""
    port = free_port()
    shell = f"sleep 120 & exec {sys.executable} -m http.server {port} --bind 127.0.0.1"
    log = tmp_path / "run.log"
    driver = _start([{"name": "web", "argv": ["sh", "-c", shell], "port": port}], log)
    try:
        (before,) = _children(driver.pid).values()
        killed = time.monotonic()
        os.kill(before, signal.SIGKILL)
        _wait(lambda: "web is back" in log.read_text(), timeout=15)
        assert time.monotonic() - killed < 15
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
    finally:
        os.kill(driver.pid, signal.SIGTERM)
        assert driver.wait(timeout=20) == 0


# A server that answers every GET with its own pid; started as a standby
# (HELPDESK_STANDBY=1) it says so, then waits for "serve" on stdin before it listens.
PID_SERVER = """
import http.server, os, sys
if os.environ.get("HELPDESK_STANDBY") == "1":
    print("standby waiting", flush=True)
    if sys.stdin.buffer.readline() != b"serve\\n":
        sys.exit(0)
class Pid(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(os.getpid()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Pid).serve_forever()
"""


def _standbys(pid: int) -> list[int]:
    """The direct children of ``pid`` started as a standby."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if parent == pid and b"HELPDESK_STANDBY=1" in environ and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _serving(port: int) -> int | None:
    try:
        return int(httpx.get(f"http://127.0.0.1:{port}/", timeout=1).text)
    except httpx.HTTPError:
        return None


def _start_with_a_standby(tmp_path: Path) -> tuple[int, Path, subprocess.Popen]:
    """A supervisor running one pid-answering server that keeps a warm standby."""
    port = free_port()
    log = tmp_path / "run.log"
    program = {"name": "web", "argv": [sys.executable, "-c", PID_SERVER, str(port)],
               "port": port, "standby": True}  # fmt: skip
    return port, log, _start([program], log)


def test_a_warm_standby_takes_over_the_port_when_the_child_is_killed(tmp_path: Path) -> None:
    port, log, driver = _start_with_a_standby(tmp_path)
    seen: list[int] = []
    try:
        serving = _serving(port)
        assert serving is not None
        _wait(lambda: len(_standbys(driver.pid)) == 1 and "standby waiting" in log.read_text())
        (spare,) = _standbys(driver.pid)
        assert "web-standby | standby waiting" in log.read_text()
        seen = [serving, spare]
        assert _serving(port) == serving  # the spare does not listen while it waits
        os.kill(serving, signal.SIGKILL)
        # The spare itself answers on the port now (not a fresh start), and a new one warms up.
        _wait(lambda: _serving(port) == spare)
        _wait(lambda: len(_standbys(driver.pid)) == 2)  # the promoted one keeps its env
        seen += _standbys(driver.pid)
        _wait(lambda: "web is back" in log.read_text())
        text = log.read_text()
        assert "web was killed by SIGKILL after" in text
        assert f"its standby (pid {spare}) takes over (restart 1)" in text
        assert f"web is back on port {port} (pid {spare})" in text
    finally:
        os.kill(driver.pid, signal.SIGINT)
        assert driver.wait(timeout=20) == 0
    assert not [pid for pid in seen if _alive(pid)]
    assert _serving(port) is None


def test_a_dead_standby_is_replaced_and_one_whose_supervisor_died_exits(tmp_path: Path) -> None:
    port, log, driver = _start_with_a_standby(tmp_path)
    serving = _serving(port)
    try:
        _wait(lambda: len(_standbys(driver.pid)) == 1)
        (first,) = _standbys(driver.pid)
        os.kill(first, signal.SIGKILL)
        _wait(lambda: _standbys(driver.pid) not in ([], [first]))
        (second,) = _standbys(driver.pid)
        _wait(lambda: "web-standby was killed by SIGKILL" in log.read_text())
        assert _serving(port) == serving  # the running one never noticed
        # The supervisor dies without stopping anyone: the waiting spare sees its input end.
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(timeout=10)
        _wait(lambda: not _alive(second))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)
        if serving is not None:  # orphaned with its supervisor: not this test's subject
            with contextlib.suppress(ProcessLookupError):
                os.kill(serving, signal.SIGKILL)


def test_a_child_drops_to_its_niceness_once_ready_and_again_after_a_restart(
    tmp_path: Path,
) -> None:
    """A dialogue process starts at full priority and yields the CPU once it accepts
    connections: on its tasks and on its session's autogroup, which is what the kernel's
    autogroup scheduling weighs across sessions (plain ``nice`` changed nothing there)."""
    slow, quick = free_port(), free_port()
    # Each child notes its priorities at start, before it listens.
    noted = (
        "import os, sys, runpy; from helpdesk.priority import autogroup_nice; "
        "open(sys.argv[1], 'a').write(f'{os.getpriority(os.PRIO_PROCESS, 0)} "
        "{autogroup_nice(os.getpid())}\\n'); "
        "sys.argv = ['http.server', sys.argv[2], '--bind', '127.0.0.1']; "
        "runpy.run_module('http.server', run_name='__main__')"
    )
    programs = [
        {"name": "dialogue", "argv": [sys.executable, "-c", noted, str(tmp_path / "d"), str(slow)],
         "port": slow, "niceness": 7},
        {"name": "ingest", "argv": [sys.executable, "-c", noted, str(tmp_path / "i"), str(quick)],
         "port": quick},
    ]  # fmt: skip
    log = tmp_path / "run.log"
    driver = _start(programs, log)
    # Whether the kernel gives a session of its own an autogroup (not inside every container),
    # asked of the child that is never lowered.
    _wait(lambda: str(quick) in _children(driver.pid))
    grouped = autogroup_nice(_children(driver.pid)[str(quick)]) is not None

    def priorities(port: int) -> tuple[int, int | None]:
        pid = _children(driver.pid)[str(port)]
        return os.getpriority(os.PRIO_PROCESS, pid), autogroup_nice(pid)

    try:
        assert priorities(slow) == (7, 7 if grouped else None)
        assert priorities(quick) == (0, 0 if grouped else None)
        first = _children(driver.pid)[str(slow)]
        os.kill(first, signal.SIGKILL)
        _wait(lambda: _children(driver.pid).get(str(slow)) not in (None, first))
        _wait(lambda: "dialogue is back" in log.read_text())
        assert priorities(slow) == (7, 7 if grouped else None)
    finally:
        os.kill(driver.pid, signal.SIGTERM)
        assert driver.wait(timeout=20) == 0
    # Both starts of the dialogue process ran at full priority, like the other one.
    at_start = "0 0" if grouped else "0 None"
    assert (tmp_path / "d").read_text().split("\n") == [at_start, at_start, ""]
    assert (tmp_path / "i").read_text().split("\n") == [at_start, ""]
    assert "dialogue (pid " in log.read_text() and "lowered to nice 7" in log.read_text()
