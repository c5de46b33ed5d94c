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
from helpdesk.db import session_scope
from helpdesk.media.intake import sniff
from helpdesk.media.records import save_media
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from tests.support.servers import PROJECT_ROOT, free_port, start_process

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
# Rasa as the launcher starts it: its HTTP API needs HELPDESK_RASA_TOKEN (rasa_addons.serve).
RASA_SERVER = [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "rasa_addons.serve"]


@dataclass
class Assistant:
    rasa_url: str
    database_url: str
    tracker_store_url: str
    # Rasa's HTTP API token (the REST channel needs none; the tracker and execute routes do).
    token: str
    action_url: str

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
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
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
            "SANIC_HOST": "127.0.0.1",  # the action server's interface, as the launcher sets it
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
        *RASA_SERVER, "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(rasa_port),
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
            token=env["HELPDESK_RASA_TOKEN"],
            action_url=f"http://127.0.0.1:{action_port}",
        )


@pytest.fixture
def deliver_media(assistant, assistant_environment, monkeypatch: pytest.MonkeyPatch):
    for name in ("HELPDESK_DATABASE_URL", "HELPDESK_MEDIA_STORE", "HELPDESK_MEDIA_KEY"):
        if name in assistant_environment:
            monkeypatch.setenv(name, assistant_environment[name])
    get_settings.cache_clear()

    def deliver(sender: str, data: bytes, caption: str | None = None) -> tuple[int, list]:
        sniffed = sniff(data)
        stored = get_media_store().put(data, mime=sniffed.mime)
        with session_scope() as session:
            record = save_media(
                session, sender_id=sender, sha256=stored.sha256, kind=sniffed.kind,
                mime=sniffed.mime, size=stored.size, source="whatsapp", caption=caption,
            )  # fmt: skip
            media_id = record.id
        item = {"id": media_id, "kind": sniffed.kind, "mime": sniffed.mime, "caption": caption}
        replies = assistant.say_with_metadata(
            sender, "/media_shared", {"media": [item], "caption": caption}
        )
        return media_id, replies

    return deliver
