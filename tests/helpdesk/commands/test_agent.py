"""``helpdesk agent add`` and the console's first-start hint, as an operator runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.servers import PROJECT_ROOT, free_port, start_process

HELPDESK = [sys.executable, "-m", "helpdesk.cli"]


def run(args: list[str], stdin: str, env_db: str) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, HELPDESK_DATABASE_URL=env_db)
    return subprocess.run(
        [*HELPDESK, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


def test_agent_add_reads_the_password_from_stdin_and_the_agent_can_sign_in(tmp_path: Path) -> None:
    from helpdesk.console.agents import authenticate
    from helpdesk.db import session_scope

    url = f"sqlite:///{tmp_path}/ops.db"
    done = run(
        ["agent", "add", "maria", "--role", "admin", "--password-stdin"], "s3cret-pass\n", url
    )
    assert done.returncode == 0, done.stderr
    assert "Agent 'maria' (admin) created" in done.stdout
    assert "s3cret-pass" not in done.stdout
    with session_scope(url) as session:
        assert (
            authenticate(session, username="maria", password="s3cret-pass", ip="t").role == "admin"
        )
    listed = run(["agent", "list"], "", url)
    assert "maria\tadmin\tactive" in listed.stdout


def test_agent_add_refuses_duplicates_and_short_passwords(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ops.db"
    assert run(["agent", "add", "maria", "--password-stdin"], "long-enough\n", url).returncode == 0
    again = run(["agent", "add", "maria", "--password-stdin"], "long-enough\n", url)
    assert again.returncode == 2 and "already exists" in again.stderr
    short = run(["agent", "add", "juan", "--password-stdin"], "short\n", url)
    assert short.returncode == 2 and "shorter than 8" in short.stderr
    wrong_role = run(["agent", "add", "juan", "--role", "root", "--password-stdin"], "x" * 9, url)
    assert wrong_role.returncode == 2 and "invalid choice" in wrong_role.stderr


def test_console_prints_how_to_sign_in_on_first_start(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/first.db",
        "HELPDESK_SESSION_SECRET": "x" * 40,
        "WHATSAPP_ACCESS_TOKEN": "t",
        "WHATSAPP_APP_SECRET": "s",
        "WHATSAPP_VERIFY_TOKEN": "v",
    }
    with start_process(
        [*HELPDESK, "console", "--port", str(port)], port=port, path="/login", env=env
    ) as proc:
        page = httpx.get(proc.url + "/", follow_redirects=True)
        assert "Sign in" in page.text
        log = proc.log()
    assert "helpdesk agent add admin --role admin --password-stdin" in log
    assert f"http://localhost:{port}/login" in log


def test_disable_and_password_change_cut_access(tmp_path: Path) -> None:
    from helpdesk.console.agents import AuthError, agent_for_token, authenticate, issue_token
    from helpdesk.db import session_scope

    url = f"sqlite:///{tmp_path}/ops.db"
    assert (
        run(["agent", "add", "maria", "--password-stdin"], "first-password\n", url).returncode == 0
    )
    with session_scope(url) as session:
        token = issue_token(session, agent_id=1)
    assert run(["agent", "disable", "maria"], "", url).returncode == 0
    with session_scope(url) as session:
        assert agent_for_token(session, token=token) is None
    assert "maria\tagent\tdisabled" in run(["agent", "list"], "", url).stdout
    assert run(["agent", "enable", "maria"], "", url).returncode == 0
    changed = run(["agent", "password", "maria", "--password-stdin"], "second-password\n", url)
    assert changed.returncode == 0 and "revoked" in changed.stdout
    with session_scope(url) as session:
        assert agent_for_token(session, token=token) is None
        assert authenticate(session, username="maria", password="second-password", ip="t")
    with session_scope(url) as session, pytest.raises(AuthError):
        authenticate(session, username="maria", password="first-password", ip="t")
    missing = run(["agent", "disable", "nobody"], "", url)
    assert missing.returncode == 2 and "no agent named 'nobody'" in missing.stderr


def test_agent_role_keeps_the_last_admin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ops.db"
    assert (
        run(
            ["agent", "add", "root", "--role", "admin", "--password-stdin"], "x" * 9, url
        ).returncode
        == 0
    )
    refused = run(["agent", "role", "root", "agent"], "", url)
    assert refused.returncode == 2
    assert "root is the last admin and stays one" in refused.stderr
    assert (
        run(["agent", "add", "ana", "--role", "agent", "--password-stdin"], "y" * 9, url).returncode
        == 0
    )
    assert run(["agent", "role", "ana", "admin"], "", url).returncode == 0
    assert run(["agent", "role", "root", "agent"], "", url).returncode == 0
