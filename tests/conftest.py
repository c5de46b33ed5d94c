"""Fixtures shared by every test: an isolated settings environment and a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk import db
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
