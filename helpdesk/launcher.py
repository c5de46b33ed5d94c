"""What ``make run`` starts: every process of the product, per profile.

Each entry is one long-running process; features add theirs to the profile's list.
``PROFILE_PROCESSES`` maps a profile to the function that lists its processes, so another
topology (several Rasa replicas, say) plugs in by replacing one entry::

    PROFILE_PROCESSES[Profile.PRODUCTION] = my_production_processes

Every internal service listens on its ``HELPDESK_*_HOST`` (loopback by default); Rasa's HTTP
API always needs the token (``rasa_addons.serve`` passes ``HELPDESK_RASA_TOKEN`` to Rasa),
and the action server answers only calls carrying ``HELPDESK_ACTION_TOKEN``
(``rasa_sdk_plugins``).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helpdesk.perimeter import credentials_file
from helpdesk.settings import PROJECT_ROOT, Profile, Settings
from helpdesk.supervisor import Program


@dataclass(frozen=True)
class Process(Program):
    url: str | None = None
    description: str = ""

    @property
    def command(self) -> str:
        return shlex.join(self.argv)


def _venv_bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def _url(host: str, port: int) -> str:
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "::1", "localhost") else host
    return f"http://{shown}:{port}"


def rasa_process(settings: Settings, *, credentials: Path) -> Process:
    host = settings.rasa_interface
    cors = settings.cors_origin_list
    rest = "REST: /webhooks/rest/webhook, " if settings.profile is Profile.DEVELOPMENT else ""
    return Process(
        name="rasa",
        argv=[
            sys.executable,
            "-m",
            "rasa_addons.serve",
            "run",
            "--enable-api",
            "--interface",
            host,
            "--port",
            str(settings.rasa_port),
            "--credentials",
            str(credentials),
            "--endpoints",
            str(PROJECT_ROOT / "endpoints.yml"),
            "--model",
            str(PROJECT_ROOT / "models"),
            *(["--cors", *cors] if cors else []),
        ],
        url=_url(host, settings.rasa_port),
        description=f"Rasa server ({rest}WhatsApp: /webhooks/whatsapp/webhook; API needs "
        "the token)",
        port=settings.rasa_port,
        host=host,
    )


def action_process(settings: Settings) -> Process:
    return Process(
        name="actions",
        argv=[
            _venv_bin("rasa"),
            "run",
            "actions",
            "--port",
            str(settings.action_port),
            "--actions",
            "actions",
        ],
        # rasa-sdk takes its interface from SANIC_HOST only (0.0.0.0 when unset).
        env={"SANIC_HOST": settings.action_host},
        url=_url(settings.action_host, settings.action_port),
        description="action server (answers Rasa only)",
        port=settings.action_port,
        host=settings.action_host,
    )


def sandbox_process(settings: Settings) -> Process:
    return Process(
        name="sandbox",
        argv=[
            _venv_bin("helpdesk"),
            "sandbox",
            "--port",
            str(settings.sandbox_port),
            "--host",
            settings.sandbox_host,
        ],
        url=_url(settings.sandbox_host, settings.sandbox_port),
        description="WhatsApp sandbox (web chat; Graph API look-alike)",
        port=settings.sandbox_port,
        host=settings.sandbox_host,
    )


def console_process(settings: Settings) -> Process:
    return Process(
        name="console",
        argv=[
            _venv_bin("helpdesk"),
            "console",
            "--port",
            str(settings.console_port),
            "--host",
            settings.console_host,
        ],
        url=_url(settings.console_host, settings.console_port),
        description="agent console (web UI, JSON API under /api/, /metrics)",
        port=settings.console_port,
        host=settings.console_host,
    )


def development_processes(settings: Settings) -> list[Process]:
    processes = [
        rasa_process(settings, credentials=credentials_file(settings)),
        action_process(settings),
    ]
    if settings.sandbox_enabled:
        processes.append(sandbox_process(settings))
    processes.append(console_process(settings))
    return processes


def production_processes(settings: Settings) -> list[Process]:
    """One of each on this host, without the sandbox (the production topology replaces it)."""
    return [
        rasa_process(settings, credentials=credentials_file(settings)),
        action_process(settings),
        console_process(settings),
    ]


PROFILE_PROCESSES: dict[Profile, Callable[[Settings], list[Process]]] = {
    Profile.DEVELOPMENT: development_processes,
    Profile.PRODUCTION: production_processes,
}


def product_processes(settings: Settings) -> list[Process]:
    return PROFILE_PROCESSES[settings.profile](settings)
