"""What ``make run`` starts: every process of the product, per profile.

Each entry is one long-running process; features add theirs to the profile's list.
``PROFILE_PROCESSES`` maps a profile to the function that lists its processes. The
production profile is the production topology (``helpdesk.deploy.topology``: N replicas
behind nginx), which builds its replicas with the same ``rasa_process`` and
``action_process``; ``helpdesk run`` picks it for that profile.

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


def rasa_process(
    settings: Settings,
    *,
    port: int | None = None,
    host: str | None = None,
    name: str = "rasa",
    endpoints: Path | None = None,
    api: bool = True,
    description: str | None = None,
    env: dict[str, str] | None = None,
    standby: bool = False,
) -> Process:
    """A Rasa server; ``make run``'s one (defaults) or a replica of the production topology
    (its own port and name, the topology's endpoints, no HTTP API: nothing calls it).
    ``standby``: the supervisor keeps a warm spare that takes over if it dies."""
    port = settings.rasa_port if port is None else port
    host = host or settings.rasa_interface
    cors = settings.cors_origin_list
    api_args = ["--enable-api", *(["--cors", *cors] if cors else [])] if api else []
    if description is None:
        rest = "REST: /webhooks/rest/webhook, " if settings.profile is Profile.DEVELOPMENT else ""
        description = (
            f"Rasa server ({rest}WhatsApp: /webhooks/whatsapp/webhook; API needs the token)"
        )
    return Process(
        name=name,
        # Through rasa_addons.serve: the API token goes to Rasa inside the process.
        argv=[
            sys.executable,
            "-m",
            "rasa_addons.serve",
            "run",
            "--interface",
            host,
            "--port",
            str(port),
            "--credentials",
            str(credentials_file(settings)),
            "--endpoints",
            str(endpoints or PROJECT_ROOT / "endpoints.yml"),
            "--model",
            str(PROJECT_ROOT / "models"),
            *api_args,
        ],
        env=dict(env or {}),
        url=_url(host, port),
        description=description,
        port=port,
        host=host,
        standby=standby,
        niceness=settings.dialogue_niceness,
    )


def action_process(
    settings: Settings,
    *,
    port: int | None = None,
    host: str | None = None,
    name: str = "actions",
    description: str = "action server (answers Rasa only)",
    env: dict[str, str] | None = None,
) -> Process:
    """An action server: ``make run``'s one (defaults) or one of the topology's."""
    port = settings.action_port if port is None else port
    host = host or settings.action_host
    return Process(
        name=name,
        argv=[_venv_bin("rasa"), "run", "actions", "--port", str(port), "--actions", "actions"],
        # rasa-sdk takes its interface from SANIC_HOST only (0.0.0.0 when unset).
        env={"SANIC_HOST": host, **(env or {})},
        url=_url(host, port),
        description=description,
        port=port,
        host=host,
        # On every turn's path like Rasa: below the webhook acknowledgements once ready.
        niceness=settings.dialogue_niceness,
    )


def _helpdesk_app(name: str, *, host: str, port: int, description: str) -> Process:
    """One of the ``helpdesk`` web sub-commands (``helpdesk NAME --port --host``)."""
    return Process(
        name=name,
        argv=[_venv_bin("helpdesk"), name, "--port", str(port), "--host", host],
        url=_url(host, port),
        description=description,
        port=port,
        host=host,
    )


def sandbox_process(settings: Settings) -> Process:
    return _helpdesk_app(
        "sandbox",
        host=settings.sandbox_host,
        port=settings.sandbox_port,
        description="WhatsApp sandbox (web chat; Graph API look-alike)",
    )


def console_process(settings: Settings) -> Process:
    return _helpdesk_app(
        "console",
        host=settings.console_host,
        port=settings.console_port,
        description="agent console (web UI, JSON API under /api/, /metrics)",
    )


def development_processes(settings: Settings) -> list[Process]:
    processes = [
        # One Rasa here: a warm standby makes a restart after a crash take a second.
        rasa_process(settings, standby=settings.rasa_standby),
        action_process(settings),
    ]
    if settings.sandbox_enabled:
        processes.append(sandbox_process(settings))
    processes.append(console_process(settings))
    return processes


PROFILE_PROCESSES: dict[Profile, Callable[[Settings], list[Process]]] = {
    Profile.DEVELOPMENT: development_processes,
}


def product_processes(settings: Settings) -> list[Process]:
    return PROFILE_PROCESSES[settings.profile](settings)
