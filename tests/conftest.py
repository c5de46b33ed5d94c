"""Fixtures shared by every test: an isolated settings environment and a migrated database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk import db
from helpdesk.db import session_scope
from helpdesk.settings import get_settings


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test gets its own database, tracker store and media folder."""
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/helpdesk.db")
    monkeypatch.setenv("HELPDESK_TRACKER_STORE_URL", f"sqlite:///{tmp_path}/tracker.db")
    monkeypatch.setenv("HELPDESK_MEDIA_STORE", f"file:{tmp_path}/media")
    # Tests judge what the analysis says, not how fast a shared machine runs it: a loaded
    # CI box must not refuse a video as too slow (the budget's own test sets it low).
    monkeypatch.setenv("HELPDESK_MEDIA_ANALYSIS_BUDGET_SECONDS", "180")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database per test session (migrating takes about a second)."""
    path = tmp_path_factory.mktemp("template") / "helpdesk.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    db.get_engine(url).dispose()  # closes the connections: SQLite folds the WAL back in
    return path


@pytest.fixture
def database_url(tmp_path: Path, _migrated_template: Path) -> str:
    """A migrated SQLite database for this test (the settings point at it too), copied from
    the session's template instead of migrated again for every test."""
    shutil.copyfile(_migrated_template, tmp_path / "helpdesk.db")
    return f"sqlite:///{tmp_path}/helpdesk.db"


@pytest.fixture
def received(database_url: str):  # type: ignore[no-untyped-def]
    """Store bytes as the WhatsApp channel does; returns the metadata item it would send."""
    from helpdesk.media.intake import sniff
    from helpdesk.media.records import save_media
    from helpdesk.store import get_media_store

    def receive(data: bytes, *, sender_id: str = "15550001111", caption: str | None = None):
        sniffed = sniff(data)
        assert sniffed is not None
        stored = get_media_store().put(data, mime=sniffed.mime)
        with session_scope() as session:
            record = save_media(
                session,
                sender_id=sender_id,
                sha256=stored.sha256,
                kind=sniffed.kind,
                mime=sniffed.mime,
                size=stored.size,
                source="whatsapp",
                caption=caption,
            )
            media_id = record.id
        return {"id": media_id, "kind": sniffed.kind, "mime": sniffed.mime, "caption": caption}

    return receive


@pytest.fixture(scope="session")
def whatsapp_product(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The whole product behind WhatsApp: the sandbox as Meta, Rasa with the WhatsApp
    channel on the trained model, the action server (session-wide; ~1 minute to start)."""
    from tests.support.servers import PROJECT_ROOT, free_port, start_process
    from tests.support.whatsapp import WhatsAppStack

    rasa_bin = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
    from helpdesk import db
    from helpdesk.commands.exec_ import product_environment

    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        pytest.fail("No trained model in models/: run `make train` first (make test does).")
    folder: Path = tmp_path_factory.mktemp("whatsapp-product")
    action_port = free_port()
    # The product's environment, minus what the stack sets (secrets, database, sandbox URL).
    env = {
        key: value
        for key, value in product_environment().items()
        if not key.startswith("WHATSAPP_")
        and key
        not in (
            "HELPDESK_DATABASE_URL",
            "HELPDESK_TRACKER_STORE_URL",
            "HELPDESK_MEDIA_STORE",
            "HELPDESK_SANDBOX_WEBHOOK_URL",
        )
    }
    env.update(
        {
            "HELPDESK_ACTION_PORT": str(action_port),
            "HELPDESK_ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "SANIC_HOST": "127.0.0.1",
        }
    )
    # Started as the launcher starts it: the API needs HELPDESK_RASA_TOKEN (from env).
    rasa = [
        str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "rasa_addons.serve",
        "run", "--enable-api", "--interface", "127.0.0.1", "--port", "{port}",
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        "--model", str(PROJECT_ROOT / "models"),
    ]  # fmt: skip
    stack = WhatsAppStack(folder, bot=rasa, env=env, bot_timeout=300)
    env = stack.env
    db.upgrade(stack.database_url)
    actions = [rasa_bin, "run", "actions", "--port", str(action_port), "--actions", "actions"]
    with (
        start_process(actions, port=action_port, path="/health", env=env, timeout=180),
        stack,
    ):
        yield stack
