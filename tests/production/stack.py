"""The production topology on this machine, for the fault tests and the throughput bench.

    with ProductionStack(folder, replicas=2, base_port=25100) as stack:
        stack.say("34600000001", text="hola")      # the sandbox, as Meta, to nginx
        stack.kill("rasa-1")                        # kill -9 of one replica
        stack.outbound(), stack.inbox()             # the product's own records

Real engines from scripts/services.sh (PostgreSQL, Redis, moto's S3 server), the
processes of ``helpdesk.deploy.topology`` (N Rasa replicas, N action servers, the console,
nginx) and the WhatsApp sandbox as Meta (its webhooks go to nginx). Ports from
``base_port`` upwards (the project's range for this work is 25000-25999).
"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from helpdesk import db
from helpdesk.deploy.topology import Topology
from helpdesk.priority import yield_cpu
from helpdesk.settings import PROJECT_ROOT, Settings
from tests.support.servers import Process

SECRETS = {
    "WHATSAPP_ACCESS_TOKEN": "production-test-token",
    "WHATSAPP_APP_SECRET": "production-test-secret",
    "WHATSAPP_VERIFY_TOKEN": "production-test-verify",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
    # Rasa sends it with every action call; the action servers refuse calls without it.
    "HELPDESK_ACTION_TOKEN": "production-test-action-token",
    # The inbox worker process sends it with every turn it posts to a replica.
    "HELPDESK_RASA_TOKEN": "production-test-rasa-token",
    # A fixed media key: every replica must read what another one stored.
    "HELPDESK_MEDIA_KEY": "k1:" + base64.b64encode(bytes(range(32))).decode(),
}
SERVICES = PROJECT_ROOT / "scripts" / "services.sh"


def _services_env(text_: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text_.splitlines() if "=" in line)
    return {key: value for key, value in pairs}


@contextlib.contextmanager
def migrated_services(
    folder: Path, ports: dict[str, str], *, start_timeout: float = 120
) -> Iterator[dict[str, str]]:
    """Fresh PostgreSQL, Redis and S3 (scripts/services.sh) on ``ports``, the schema
    migrated; yields their settings (HELPDESK_DATABASE_URL, …) and stops them after."""
    env = {**os.environ, **ports}
    started = subprocess.run(
        ["bash", str(SERVICES), "start", str(folder)],
        env={**env, "SERVICES_FRESH": "1"},
        capture_output=True,
        text=True,
        timeout=start_timeout,
    )
    assert started.returncode == 0, started.stderr
    values = _services_env(started.stdout)
    db.upgrade(values["HELPDESK_DATABASE_URL"])
    try:
        yield values
    finally:
        subprocess.run(["bash", str(SERVICES), "stop", str(folder)], env=env, timeout=60)


class ProductionStack:
    def __init__(
        self,
        folder: Path,
        *,
        replicas: int = 2,
        base_port: int = 25100,
        rest_channel: bool = False,
        env: dict[str, str] | None = None,
        start_timeout: float = 400.0,
    ) -> None:
        self.folder = Path(folder)
        self.replicas = replicas
        self.start_timeout = start_timeout
        p = base_port
        self.ports = {
            "pg": p + 1,
            "redis": p + 2,
            "s3": p + 3,
            "public": p + 10,
            "actions_proxy": p + 11,
            "console": p + 12,
            "sandbox": p + 13,
            "ingest": p + 14,
            "worker": p + 15,
            "rasa": p + 20,
            "actions": p + 40,
        }
        self.sandbox_url = f"http://127.0.0.1:{self.ports['sandbox']}"
        self.extra_env = dict(env or {})
        self.rest_channel = rest_channel
        self.processes: dict[str, Process] = {}
        # The niceness each process drops to once it answers (the topology's, as the
        # supervisor does under `helpdesk run`).
        self.niceness: dict[str, int] = {}
        self.services_dir = self.folder / "services"

    # --- lifecycle ---

    def _start_engines(self) -> dict[str, str]:
        ports = {
            "SERVICES_PG_PORT": str(self.ports["pg"]),
            "SERVICES_REDIS_PORT": str(self.ports["redis"]),
            "SERVICES_S3_PORT": str(self.ports["s3"]),
            "SERVICES_FRESH": "1",
        }
        result = subprocess.run(
            ["bash", str(SERVICES), "start", str(self.services_dir)],
            env={**os.environ, **ports},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"scripts/services.sh start failed:\n{result.stderr}")
        return _services_env(result.stdout)

    def _stop_engines(self) -> None:
        ports = {
            "SERVICES_PG_PORT": str(self.ports["pg"]),
            "SERVICES_REDIS_PORT": str(self.ports["redis"]),
            "SERVICES_S3_PORT": str(self.ports["s3"]),
        }
        subprocess.run(
            ["bash", str(SERVICES), "stop", str(self.services_dir)],
            env={**os.environ, **ports},
            capture_output=True,
            timeout=60,
        )

    def __enter__(self) -> ProductionStack:
        from helpdesk import db
        from helpdesk.commands.exec_ import product_environment

        engines = self._start_engines()
        self.database_url = engines["HELPDESK_DATABASE_URL"]
        self.redis_url = engines["HELPDESK_REDIS_URL"]
        self.env = {
            key: value
            for key, value in product_environment().items()
            if not key.startswith(("WHATSAPP_", "HELPDESK_"))
        }
        webhook = f"http://127.0.0.1:{self.ports['public']}/webhooks/whatsapp/webhook"
        self.env.update(
            {
                **engines,
                **SECRETS,
                "WHATSAPP_GRAPH_URL": self.sandbox_url,
                "HELPDESK_SANDBOX_WEBHOOK_URL": webhook,
                "HELPDESK_RASA_PORT": str(self.ports["rasa"]),
                "HELPDESK_ACTION_PORT": str(self.ports["actions"]),
                "HELPDESK_CONSOLE_PORT": str(self.ports["console"]),
                "HELPDESK_PUBLIC_PORT": str(self.ports["public"]),
                "HELPDESK_ACTIONS_PROXY_PORT": str(self.ports["actions_proxy"]),
                "HELPDESK_INGEST_PORT": str(self.ports["ingest"]),
                "HELPDESK_WORKER_PORT": str(self.ports["worker"]),
                "HELPDESK_SESSION_SECRET": "production-test-session-secret",
                "HELPDESK_LOG_LEVEL": "WARNING",
                **self.extra_env,
            }
        )
        with _patched_environ(self.env):
            settings = Settings(_env_file=None)
        self.topology = Topology.from_settings(
            settings, replicas=self.replicas, rest_channel=self.rest_channel
        )
        self.topology.check()
        self.env.update(self.topology.environment())
        db.upgrade(self.database_url)
        nginx_dir = self.folder / "nginx"
        self.topology.write_config(nginx_dir)
        sandbox = Process(
            [
                str(PROJECT_ROOT / ".venv/bin/helpdesk"),
                "sandbox",
                "--port",
                str(self.ports["sandbox"]),
            ],
            port=self.ports["sandbox"],
            path="/sandbox/health",
            env=self.env,
            timeout=60,
        )
        self.processes["sandbox"] = sandbox
        paths = {
            "nginx": "/webhooks/whatsapp/",
            "console": "/login",
            "ingest": "/webhooks/whatsapp/",
        }
        for service in self.topology.processes(nginx_dir):
            port = int(service.url.rsplit(":", 1)[1])
            self.processes[service.name] = Process(
                service.argv,
                port=port,
                path=paths.get(
                    service.name, "/webhooks/whatsapp/" if "rasa" in service.name else "/health"
                ),
                env={**self.env, **service.env},
                timeout=self.start_timeout,
            )
            self.niceness[service.name] = service.niceness
        try:
            self._start_all()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_all(self) -> None:
        """Start every process at once (Rasa takes a minute to load; in parallel, not N)."""
        errors: list[BaseException] = []

        def start(name: str) -> None:
            try:
                self.start(name)
            except BaseException as error:  # reported below with the process's log
                errors.append(error)

        order = [
            ["sandbox", "console"],
            [n for n in self.processes if n.startswith(("rasa", "actions", "ingest", "worker"))],
            ["nginx"],
        ]
        for group in order:
            threads = [threading.Thread(target=start, args=(n,)) for n in group]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]

    def __exit__(self, *exc: Any) -> None:
        for process in reversed(list(self.processes.values())):
            with contextlib.suppress(Exception):
                process.stop()
        self._stop_engines()

    # --- acting ---

    def kill(self, name: str) -> None:
        """``kill -9`` of one process of the topology."""
        self.processes[name].kill()

    def start(self, name: str) -> None:
        """Start ``name`` (again) and wait until it answers; then lower its priority."""
        process = self.processes[name].start()
        if self.niceness.get(name) and process.popen is not None:
            yield_cpu(process.popen.pid, self.niceness[name])

    def say(self, wa_id: str, message: str) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.sandbox_url}/sandbox/customers/{wa_id}/messages",
            json={"text": message},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()

    def fault(self, target: str, kind: str, *, count: int = 1, delay: float = 30.0) -> None:
        """Sandbox fault injection (``timeout``: Meta answers after ``delay`` seconds)."""
        httpx.post(
            f"{self.sandbox_url}/sandbox/faults",
            json={"target": target, "kind": kind, "count": count, "delay": delay},
            timeout=10,
        ).raise_for_status()

    def conversation(self, wa_id: str) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.sandbox_url}/sandbox/customers/{wa_id}/messages", timeout=30)
        answer.raise_for_status()
        return answer.json()["messages"]

    def sql(self, statement: str, **params: Any) -> list[Any]:
        engine = _engine(self.database_url)
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []

    def tracker_sql(self, statement: str, **params: Any) -> list[Any]:
        """A query on Rasa's tracker store (its ``events`` table)."""
        engine = _engine(self.env["HELPDESK_TRACKER_STORE_URL"])
        with engine.begin() as connection:
            return list(connection.execute(text(statement), params))

    def alive(self, name: str) -> bool:
        popen = self.processes[name].popen
        return popen is not None and popen.poll() is None

    def terminate_connections(self) -> int:
        """Drop every other connection to the product's database (pg_terminate_backend)."""
        rows = self.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname IN ('helpdesk', 'tracker') AND pid <> pg_backend_pid()"
        )
        return sum(1 for (done,) in rows if done)

    def action_statuses(self) -> list[str]:
        """The HTTP status of every action call so far (nginx's internal access log)."""
        log = self.folder / "nginx" / "actions.log"
        if not log.exists():
            return []
        return [line.split()[-1] for line in log.read_text().splitlines() if line.strip()]

    def log(self, name: str) -> str:
        return self.processes[name].log()


_ENGINES: dict[str, Any] = {}


def _engine(url: str) -> Any:
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, future=True, pool_pre_ping=True)
    return _ENGINES[url]


@contextlib.contextmanager
def _patched_environ(values: dict[str, str]):  # type: ignore[no-untyped-def]
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
