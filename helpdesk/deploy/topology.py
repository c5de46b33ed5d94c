"""The production topology as a list of processes, every part from the settings.

    layout = Topology.from_settings(settings)        # HELPDESK_REPLICAS, ports, engines
    layout.check()                                   # refuses SQLite, no Redis, local media
    layout.write_config(folder)                      # nginx.conf for this layout
    for process in layout.processes(folder): ...     # rasa-1..N, actions-1..N, worker, ingest,
                                                     # console, nginx

Replica i of Rasa listens on ``HELPDESK_RASA_PORT + i - 1`` and action server i on
``HELPDESK_ACTION_PORT + i - 1``, all on ``HELPDESK_INTERNAL_HOST`` (loopback by default,
a private interface across machines). nginx is the only public listener
(``HELPDESK_PUBLIC_PORT``): the WhatsApp webhook to the ingest process
(``HELPDESK_INGEST_PORT``, ``helpdesk.ingest``: it acknowledges however busy Rasa is) with
the replicas as backup, everything else to the console. The inbox worker runs in a process of
its own (``helpdesk worker``, ``HELPDESK_WORKER_PORT``): it posts each message's turn to a
replica and sends the replies, so the replicas' cores do only dialogue. Rasa reaches the
action servers through nginx's internal upstream (``HELPDESK_ACTIONS_PROXY_PORT``), so one
dead action server costs nothing but a retry.

The dialogue's processes (replicas, action servers) drop to
``HELPDESK_DIALOGUE_NICENESS`` once they accept connections (``helpdesk.priority``), so
that the acknowledgements (ingest, nginx, PostgreSQL) win the CPU over the turns.

Shared state lives in the engines, never in a process: conversations in PostgreSQL
(Rasa's tracker store), the product's data and the durable inbox in PostgreSQL (claims per
customer with row locks, so every message is processed once and each customer's messages
in order whichever replica got them), Rasa's conversation locks and the outbound pacing
budget in Redis, media in S3.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from helpdesk.deploy.nginx import NginxLayout, render
from helpdesk.errors import ConfigurationError
from helpdesk.launcher import Process, _venv_bin, action_process, rasa_process
from helpdesk.settings import PROJECT_ROOT, InboxWorkerHost, Settings

ENDPOINTS = PROJECT_ROOT / "deploy" / "endpoints.production.yml"
# A dead replica's conversation lock must expire before another replica can run that
# customer's turn again; Rasa's default (60 s) would hold the customer that long.
LOCK_LIFETIME_SECONDS = 30


# A process of the topology: the launcher's, with its own port, name and variables.
Service = Process


@dataclass(frozen=True)
class Topology:
    settings: Settings
    replicas: int
    internal_host: str
    public_port: int
    actions_proxy_port: int
    rest_channel: bool = False

    @classmethod
    def from_settings(
        cls, settings: Settings, *, replicas: int | None = None, rest_channel: bool = False
    ) -> Topology:
        return cls(
            settings=settings,
            replicas=replicas or settings.replicas,
            internal_host=settings.internal_host,
            public_port=settings.public_port,
            actions_proxy_port=settings.actions_proxy_port,
            rest_channel=rest_channel,
        )

    # --- what is wrong with the settings for several replicas ---

    def problems(self) -> list[str]:
        s = self.settings
        found = []
        for name, url in (
            ("HELPDESK_DATABASE_URL", s.database_url),
            ("HELPDESK_TRACKER_STORE_URL", s.tracker_store_url),
        ):
            if not url.startswith("postgresql"):
                found.append(f"{name} must be a postgresql:// URL shared by every replica")
        if not (s.redis_url or "").startswith(("redis://", "rediss://")):
            found.append(
                "HELPDESK_REDIS_URL must be a redis:// URL (Rasa's lock store, outbound pacing)"
            )
        if not s.media_store.startswith("s3://"):
            found.append("HELPDESK_MEDIA_STORE must be s3://bucket/prefix (every replica reads it)")
        if shutil.which("nginx") is None:
            found.append("nginx is not installed (apt-get install -y nginx-light)")
        return found

    def check(self) -> None:
        found = self.problems()
        if found:
            raise ConfigurationError(
                "The production topology cannot start:\n  - " + "\n  - ".join(found)
            )

    # --- addresses ---

    def rasa_port(self, replica: int) -> int:
        return self.settings.rasa_port + replica - 1

    def action_port(self, replica: int) -> int:
        return self.settings.action_port + replica - 1

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    def nginx_layout(self, folder: Path | None) -> NginxLayout:
        host = self.internal_host
        return NginxLayout(
            public_listen=str(self.public_port),
            actions_listen=f"{host}:{self.actions_proxy_port}",
            rasa=[f"{host}:{self.rasa_port(i)}" for i in self.indices],
            actions=[f"{host}:{self.action_port(i)}" for i in self.indices],
            console=f"{host}:{self.settings.console_port}",
            ingest=f"{host}:{self.settings.ingest_port}",
            rest_channel=self.rest_channel,
            prefix=folder,
        )

    @property
    def indices(self) -> range:
        return range(1, self.replicas + 1)

    # --- files and processes ---

    def write_config(self, folder: Path) -> Path:
        """nginx.conf (with its pid, logs and temp folders) under ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "nginx.conf"
        path.write_text(render(self.nginx_layout(folder)), encoding="utf-8")
        return path

    def environment(self) -> dict[str, str]:
        """Variables every process of the topology gets on top of the product's own."""
        redis = urlsplit(self.settings.redis_url or "redis://localhost:6379/0")
        return {
            "HELPDESK_REPLICAS": str(self.replicas),
            "HELPDESK_ACTION_ENDPOINT_URL": (
                f"http://{self.internal_host}:{self.actions_proxy_port}/webhook"
            ),
            "HELPDESK_LOCK_STORE_HOST": redis.hostname or "localhost",
            "HELPDESK_LOCK_STORE_PORT": str(redis.port or 6379),
            # Rasa's locks in their own Redis database, next to the pacing schedule.
            "HELPDESK_LOCK_STORE_DB": str(int((redis.path or "/0").strip("/") or 0) + 1),
            "HELPDESK_LOCK_STORE_PASSWORD": redis.password or "",
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
            # The inbox worker runs in its own process (``worker``), the replicas only turns;
            # HELPDESK_INBOX_WORKER=rasa keeps it inside each replica (no worker process).
            "HELPDESK_INBOX_WORKER": self.inbox_worker.value,
        }

    def rasa(self, replica: int) -> Service:
        port = self.rasa_port(replica)
        # At HELPDESK_DIALOGUE_NICENESS once ready, like the action servers (launcher).
        return rasa_process(
            self.settings,
            port=port,
            host=self.internal_host,
            name=f"rasa-{replica}",
            endpoints=ENDPOINTS,
            api=False,  # nothing calls Rasa's HTTP API here, and nginx does not route it
            description=f"Rasa replica {replica}",
            env={"HELPDESK_RASA_PORT": str(port)},
        )

    def actions(self, replica: int) -> Service:
        port = self.action_port(replica)
        return action_process(
            self.settings,
            port=port,
            host=self.internal_host,
            name=f"actions-{replica}",
            description=f"action server {replica}",
            env={"HELPDESK_ACTION_PORT": str(port)},
        )

    def _helpdesk_command(self, command: str, *, port: int, description: str) -> Service:
        """A ``helpdesk <command> --host --port`` process on the internal interface."""
        return Service(
            name=command,
            argv=[
                _venv_bin("helpdesk"),
                command,
                "--host",
                self.internal_host,
                "--port",
                str(port),
            ],
            url=f"http://{self.internal_host}:{port}",
            description=description,
            port=port,
            host=self.internal_host,
        )

    def ingest(self) -> Service:
        return self._helpdesk_command(
            "ingest",
            port=self.settings.ingest_port,
            description="WhatsApp webhook: verify, store, acknowledge (helpdesk.ingest)",
        )

    @property
    def inbox_worker(self) -> InboxWorkerHost:
        return self.settings.inbox_worker or InboxWorkerHost.PROCESS

    def worker(self) -> Service:
        service = self._helpdesk_command(
            "worker",
            port=self.settings.worker_port,
            description="WhatsApp inbox worker: claims, media, replies (helpdesk.worker)",
        )
        replicas = [f"http://{self.internal_host}:{self.rasa_port(i)}" for i in self.indices]
        argv = [*service.argv, *(arg for url in replicas for arg in ("--rasa", url))]
        # On every turn's path like the replicas: below the acknowledgements once ready.
        return replace(service, argv=argv, niceness=self.settings.dialogue_niceness)

    def console(self) -> Service:
        return self._helpdesk_command(
            "console", port=self.settings.console_port, description="agent console"
        )

    def nginx(self, folder: Path) -> Service:
        return Service(
            name="nginx",
            argv=[shutil.which("nginx") or "nginx", "-p", str(folder), "-c", "nginx.conf"],
            url=self.public_url,
            description="public entry: /webhooks/whatsapp/webhook and the console",
            port=self.public_port,
        )

    def processes(self, folder: Path) -> list[Service]:
        """Every long-running process, in start order (``write_config(folder)`` first)."""
        return [
            *(self.actions(i) for i in self.indices),
            *(self.rasa(i) for i in self.indices),
            *([self.worker()] if self.inbox_worker is InboxWorkerHost.PROCESS else []),
            self.ingest(),
            self.console(),
            self.nginx(folder),
        ]
