"""The real product for end-to-end tests: Rasa server + action server on the trained model.

Session-scoped (Rasa takes ~30 s to start); each test uses its own sender id. Needs a
trained model in models/ (`make train`; `make test` trains before running pytest).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from helpdesk import db
from tests.support.servers import PROJECT_ROOT, free_port, start_process

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")


@dataclass
class Assistant:
    rasa_url: str
    database_url: str
    tracker_store_url: str

    def say(self, sender: str, message: str) -> list[dict]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def say_with_metadata(self, sender: str, message: str, metadata: dict) -> list[dict]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message, "metadata": metadata},
            timeout=120,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30)
        response.raise_for_status()
        return response.json()


def _require_model() -> None:
    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        pytest.fail("No trained model in models/: run `make train` first (make test does).")


@pytest.fixture(scope="session")
def assistant_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from helpdesk.commands.exec_ import product_environment

    folder: Path = tmp_path_factory.mktemp("assistant")
    action_port = free_port()
    environment = product_environment()
    environment.update(
        {
            "HELPDESK_DATABASE_URL": f"sqlite:///{folder}/helpdesk.db",
            "HELPDESK_TRACKER_STORE_URL": f"sqlite:///{folder}/tracker.db",
            "HELPDESK_MEDIA_STORE": f"file:{folder}/media",
            "HELPDESK_ACTION_PORT": str(action_port),
            "HELPDESK_ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        }
    )
    db.upgrade(environment["HELPDESK_DATABASE_URL"])
    return environment


@pytest.fixture(scope="session")
def assistant(assistant_environment: dict[str, str]) -> Iterator[Assistant]:
    _require_model()
    env = assistant_environment
    action_port = int(env["HELPDESK_ACTION_PORT"])
    rasa_port = free_port()
    actions_argv = [RASA, "run", "actions", "--port", str(action_port), "--actions", "actions"]
    rasa_argv = [
        RASA, "run", "--enable-api", "--port", str(rasa_port),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        "--model", str(PROJECT_ROOT / "models"),
    ]  # fmt: skip
    with (
        start_process(actions_argv, port=action_port, path="/health", env=env, timeout=120),
        start_process(rasa_argv, port=rasa_port, path="/", env=env, timeout=240) as rasa,
    ):
        yield Assistant(
            rasa_url=rasa.url.rstrip("/"),
            database_url=env["HELPDESK_DATABASE_URL"],
            tracker_store_url=env["HELPDESK_TRACKER_STORE_URL"],
        )
