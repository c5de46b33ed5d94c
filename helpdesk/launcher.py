"""What ``make run`` starts: every process of the product, with the settings exported.

Each entry is one long-running process; features add theirs to ``product_processes``.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from helpdesk.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class Process:
    name: str
    argv: list[str]
    url: str | None = None
    description: str = ""

    @property
    def command(self) -> str:
        return shlex.join(self.argv)


def _venv_bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def product_processes(settings: Settings) -> list[Process]:
    rasa = _venv_bin("rasa")
    return [
        Process(
            name="rasa",
            argv=[
                rasa,
                "run",
                "--enable-api",
                "--cors",
                "*",
                "--port",
                str(settings.rasa_port),
                "--credentials",
                str(PROJECT_ROOT / "credentials.yml"),
                "--endpoints",
                str(PROJECT_ROOT / "endpoints.yml"),
                "--model",
                str(PROJECT_ROOT / "models"),
            ],
            url=f"http://localhost:{settings.rasa_port}",
            description="Rasa server (REST: /webhooks/rest/webhook)",
        ),
        Process(
            name="actions",
            argv=[
                rasa,
                "run",
                "actions",
                "--port",
                str(settings.action_port),
                "--actions",
                "actions",
            ],
            url=f"http://localhost:{settings.action_port}",
            description="action server",
        ),
        Process(
            name="sandbox",
            argv=[_venv_bin("helpdesk"), "sandbox", "--port", str(settings.sandbox_port)],
            url=f"http://localhost:{settings.sandbox_port}",
            description="WhatsApp sandbox (web chat; Graph API look-alike)",
        ),
        Process(
            name="console",
            argv=[_venv_bin("helpdesk"), "console", "--port", str(settings.console_port)],
            url=f"http://localhost:{settings.console_port}",
            description="agent console (web UI, JSON API under /api/, /metrics)",
        ),
    ]
