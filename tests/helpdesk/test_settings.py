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


def test_env_files_are_read_as_python_dotenv_reads_them(tmp_path: Path) -> None:
    from helpdesk.settings import read_env_file

    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n"
        "export WHATSAPP_APP_SECRET='quoted # not a comment'\n"
        'HELPDESK_RASA_TOKEN="with spaces"  # a comment after the value\n'
        "HELPDESK_ACTION_TOKEN=plain\n"
        "EMPTY=\n",
        encoding="utf-8",
    )
    assert read_env_file(path) == {
        "WHATSAPP_APP_SECRET": "quoted # not a comment",
        "HELPDESK_RASA_TOKEN": "with spaces",
        "HELPDESK_ACTION_TOKEN": "plain",
        "EMPTY": "",
    }
    assert read_env_file(tmp_path / "missing.env") == {}


def test_rasa_and_action_tokens_are_generated_for_local_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from helpdesk.settings import RASA_SECRETS

    for name in RASA_SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("helpdesk.settings.PROJECT_ROOT", tmp_path)
    generated = ensure_local_secrets(tmp_path / "secrets.env", names=RASA_SECRETS)
    assert set(generated) == {"HELPDESK_RASA_TOKEN", "HELPDESK_ACTION_TOKEN"}
    assert generated["HELPDESK_RASA_TOKEN"] != generated["HELPDESK_ACTION_TOKEN"]
    settings = get_settings()
    assert settings.rasa_token == generated["HELPDESK_RASA_TOKEN"]
    assert settings.rasa_environment()["HELPDESK_ACTION_TOKEN"] == settings.action_token
