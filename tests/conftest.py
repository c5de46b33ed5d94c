"""Fixtures shared by every test: an isolated settings environment and a migrated database."""

from __future__ import annotations

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
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A migrated SQLite database for this test (the settings point at it too)."""
    url = f"sqlite:///{tmp_path}/helpdesk.db"
    db.upgrade(url)
    return url


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
