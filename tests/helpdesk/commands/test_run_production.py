"""``helpdesk run`` in the production profile runs the production topology (the processes
of ``helpdesk production``), or refuses, naming each setting, when its engines cannot be
shared by several replicas."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.commands.run import plan
from helpdesk.settings import Settings
from tests.support.profiles import SAFE_PRODUCTION
from tests.support.servers import PROJECT_ROOT

ENGINES = {
    "HELPDESK_DATABASE_URL": "postgresql://helpdesk@127.0.0.1:5432/helpdesk",
    "HELPDESK_TRACKER_STORE_URL": "postgresql://helpdesk@127.0.0.1:5432/tracker",
    "HELPDESK_REDIS_URL": "redis://127.0.0.1:6379/0",
    "HELPDESK_MEDIA_STORE": "s3://helpdesk-media/prod",
}


def test_run_in_the_production_profile_on_sqlite_refuses_naming_the_topology_settings(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        **SAFE_PRODUCTION,
        "PYTHONPATH": str(PROJECT_ROOT),
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/helpdesk.db",
        "HELPDESK_MEDIA_STORE": f"file:{tmp_path}/media",
        "HELPDESK_RUN_LOG": str(tmp_path / "run.log"),
    }
    env.pop("HELPDESK_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "helpdesk.cli", "run", "--only", "console"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGINT)  # it started something instead of refusing
        process.communicate(timeout=30)
        raise AssertionError("helpdesk run --profile production started on SQLite") from None
    assert process.returncode == 2, (out, err)
    for named in (
        "The production topology cannot start",
        "HELPDESK_DATABASE_URL must be a postgresql:// URL",
        "HELPDESK_TRACKER_STORE_URL must be a postgresql:// URL",
        "HELPDESK_REDIS_URL must be a redis:// URL",
        "HELPDESK_MEDIA_STORE must be s3://",
    ):
        assert named in err
    assert not (tmp_path / "run.log").exists()  # nothing was started


@pytest.fixture
def production_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in {**SAFE_PRODUCTION, **ENGINES, "HELPDESK_REPLICAS": "2"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HELPDESK_DIALOGUE_NICENESS", "10")  # as on a machine of its own
    return Settings(_env_file=None)


def test_the_production_profile_runs_the_replicas_behind_nginx(
    production_settings: Settings,
) -> None:
    processes, extra = plan(production_settings)
    by_name = {process.name: process for process in processes}
    assert list(by_name) == [
        "actions-1",
        "actions-2",
        "rasa-1",
        "rasa-2",
        "worker",
        "ingest",
        "console",
        "nginx",
    ]
    assert extra["HELPDESK_REPLICAS"] == "2"
    assert extra["HELPDESK_ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5050/webhook"
    # Every internal process on the internal host, each with the port the supervisor
    # watches; only nginx listens publicly.
    for name in ("actions-1", "actions-2", "rasa-1", "rasa-2", "worker", "ingest", "console"):
        assert by_name[name].host == "127.0.0.1" and by_name[name].port
    assert [by_name["rasa-1"].port, by_name["rasa-2"].port] == [5005, 5006]
    assert by_name["actions-2"].env["SANIC_HOST"] == "127.0.0.1"  # not rasa-sdk's 0.0.0.0
    assert by_name["nginx"].port == 8080
    # The inbox worker feeds both replicas; they run only the turns.
    worker = by_name["worker"].argv
    assert [worker[i + 1] for i, arg in enumerate(worker) if arg == "--rasa"] == [
        "http://127.0.0.1:5005",
        "http://127.0.0.1:5006",
    ]
    assert extra["HELPDESK_INBOX_WORKER"] == "process"


def test_replicas_are_built_like_the_development_processes(
    production_settings: Settings,
) -> None:
    """One builder: a replica is ``make run``'s Rasa with its own port and no HTTP API."""
    processes, _ = plan(production_settings)
    rasa = next(p for p in processes if p.name == "rasa-2")
    assert rasa.argv[1:4] == ["-m", "rasa_addons.serve", "run"]
    ingest = next(p for p in processes if p.name == "ingest")
    assert Path(ingest.argv[0]).name == "helpdesk"
    # The dialogue yields the CPU to the acknowledgements (ingest, nginx) once it is ready;
    # it starts at full priority (a lowered start took minutes on a busy machine).
    niceness = {p.name: p.niceness for p in processes}
    assert niceness == {
        "actions-1": 10, "actions-2": 10, "rasa-1": 10, "rasa-2": 10, "worker": 10,
        "ingest": 0, "console": 0, "nginx": 0,
    }  # fmt: skip
    assert "--enable-api" not in rasa.argv  # nginx does not route it; nothing calls it
    assert rasa.argv[rasa.argv.index("--port") + 1] == "5006"
    credentials = Path(rasa.argv[rasa.argv.index("--credentials") + 1])
    assert "rest:" not in credentials.read_text(encoding="utf-8")  # production: no REST
    assert rasa.argv[rasa.argv.index("--endpoints") + 1].endswith("endpoints.production.yml")


def test_the_inbox_worker_can_stay_inside_the_replicas(
    production_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HELPDESK_INBOX_WORKER=rasa: the layout before ``helpdesk worker`` (a baseline)."""
    monkeypatch.setenv("HELPDESK_INBOX_WORKER", "rasa")
    processes, extra = plan(Settings(_env_file=None))
    assert "worker" not in {process.name for process in processes}
    assert extra["HELPDESK_INBOX_WORKER"] == "rasa"
