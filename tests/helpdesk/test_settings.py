from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.errors import ConfigurationError
from helpdesk.settings import PROJECT_ROOT, Settings, ensure_local_secrets, get_settings


def _documented_names() -> set[str]:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_env_example_documents_every_setting() -> None:
    declared = {field.field_info.extra["env"] for field in Settings.__fields__.values()}
    assert declared == _documented_names()


def test_environment_overrides_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_RASA_PORT", "6005")
    assert get_settings().rasa_port == 6005


def test_relative_sqlite_path_is_anchored_at_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_DATABASE_URL", "sqlite:///var/x.db")
    assert get_settings().database_url == f"sqlite:///{PROJECT_ROOT}/var/x.db"


def test_invalid_setting_names_the_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_DEFAULT_LANGUAGE", "fr")
    with pytest.raises(ConfigurationError, match="HELPDESK_DEFAULT_LANGUAGE"):
        get_settings()


def test_local_secrets_are_generated_once_and_reused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("helpdesk.settings.PROJECT_ROOT", tmp_path)  # no developer .env
    path = tmp_path / "secrets.env"
    first = ensure_local_secrets(path)
    assert set(first) == {"WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"}
    assert path.stat().st_mode & 0o077 == 0
    for name in first:
        monkeypatch.delenv(name)
    assert ensure_local_secrets(path) == first
    assert get_settings().whatsapp_app_secret == first["WHATSAPP_APP_SECRET"]


def test_set_secret_is_never_replaced(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "from-the-environment")
    generated = ensure_local_secrets(tmp_path / "secrets.env")
    assert "WHATSAPP_APP_SECRET" not in generated
    assert get_settings().whatsapp_app_secret == "from-the-environment"
