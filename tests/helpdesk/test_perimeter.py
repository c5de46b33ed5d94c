"""The production profile's refusals (each one named), the tokens and Rasa's channels."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpdesk.errors import UnsafeSettings
from helpdesk.perimeter import check_profile, credentials_file, production_problems, token_matches
from helpdesk.settings import PRODUCTION_SECRETS, PROJECT_ROOT, ensure_local_secrets, get_settings
from tests.support.profiles import SAFE_PRODUCTION


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name, value in SAFE_PRODUCTION.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    local = tmp_path / "local-secrets.env"

    def problems(**changes: str) -> list[str]:
        for name, value in changes.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return production_problems(get_settings(), local_secrets=local)

    problems.local = local  # type: ignore[attr-defined]
    return problems


def test_a_safe_production_configuration_starts(production) -> None:  # type: ignore[no-untyped-def]
    assert production() == []
    check_profile(get_settings(), local_secrets=production.local)


@pytest.mark.parametrize("name", PRODUCTION_SECRETS)
def test_each_empty_secret_is_named(production, name: str) -> None:  # type: ignore[no-untyped-def]
    problems = production(**{name: ""})
    assert len(problems) == 1 and problems[0].startswith(f"{name} is empty")


def test_a_generated_development_secret_is_named(production) -> None:  # type: ignore[no-untyped-def]
    value = SAFE_PRODUCTION["HELPDESK_RASA_TOKEN"]
    production.local.write_text(f"HELPDESK_RASA_TOKEN={value}\n", encoding="utf-8")
    problems = production()
    assert len(problems) == 1
    assert "HELPDESK_RASA_TOKEN is the development value generated" in problems[0]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"WHATSAPP_GRAPH_URL": "http://localhost:8001"}, "is the local sandbox"),
        ({"WHATSAPP_GRAPH_URL": "https://127.0.0.1:8443"}, "is the local sandbox"),
        ({"WHATSAPP_GRAPH_URL": "http://graph.facebook.com"}, "is plain http"),
        ({"HELPDESK_SECURE_COOKIES": "false"}, "HELPDESK_SECURE_COOKIES is false"),
        ({"HELPDESK_MEDIA_KEY": ""}, "HELPDESK_MEDIA_KEY is empty: a key would be generated"),
        ({"HELPDESK_SANDBOX_ENABLED": "true"}, "HELPDESK_SANDBOX_ENABLED is true"),
        ({"HELPDESK_CORS_ORIGINS": "https://ok.example,*"}, "HELPDESK_CORS_ORIGINS allows every"),
    ],
)
def test_each_unsafe_setting_is_named(production, changes: dict, named: str) -> None:  # type: ignore[no-untyped-def]
    problems = production(**changes)
    assert len(problems) == 1 and named in problems[0]


def test_the_refusal_lists_every_problem_of_a_default_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HELPDESK_PROFILE", "production")
    for name in PRODUCTION_SECRETS:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    with pytest.raises(UnsafeSettings) as refused:
        check_profile(get_settings(), local_secrets=tmp_path / "none.env")
    message = str(refused.value)
    for name in (*PRODUCTION_SECRETS, "WHATSAPP_GRAPH_URL", "HELPDESK_SECURE_COOKIES",
                 "HELPDESK_MEDIA_KEY", "HELPDESK_SANDBOX_ENABLED"):  # fmt: skip
        assert name in message
    assert len(refused.value.problems) == len(PRODUCTION_SECRETS) + 4


def test_production_generates_no_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELPDESK_PROFILE", "production")
    monkeypatch.delenv("HELPDESK_RASA_TOKEN", raising=False)
    path = tmp_path / "secrets.env"
    assert ensure_local_secrets(path, names=("HELPDESK_RASA_TOKEN",)) == {}
    assert not path.exists() and get_settings().rasa_token is None


def test_the_rest_channel_is_offered_in_development_only(monkeypatch: pytest.MonkeyPatch) -> None:
    development = yaml.safe_load(credentials_file(get_settings()).read_text(encoding="utf-8"))
    assert "rest" in development and "channels.whatsapp.WhatsAppInput" in development
    monkeypatch.setenv("HELPDESK_PROFILE", "production")
    get_settings.cache_clear()
    path = credentials_file(get_settings())
    assert path != PROJECT_ROOT / "credentials.yml"
    production = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "rest" not in production
    whatsapp = production["channels.whatsapp.WhatsAppInput"]
    assert whatsapp["app_secret"] == "${WHATSAPP_APP_SECRET}"  # Rasa fills it from the env


def test_internal_services_listen_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk.launcher import product_processes

    processes = {process.name: process for process in product_processes(get_settings())}
    assert {name: p.host for name, p in processes.items()} == {
        "rasa": "127.0.0.1",
        "actions": "127.0.0.1",
        "sandbox": "127.0.0.1",
        "console": "127.0.0.1",
    }
    assert processes["actions"].env["SANIC_HOST"] == "127.0.0.1"
    assert "--cors" not in processes["rasa"].argv  # no origin unless configured
    monkeypatch.setenv("HELPDESK_CORS_ORIGINS", "https://shop.example")
    get_settings.cache_clear()
    rasa = next(p for p in product_processes(get_settings()) if p.name == "rasa")
    assert rasa.argv[-2:] == ["--cors", "https://shop.example"]


def test_an_unset_token_matches_nothing() -> None:
    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("", "")
    assert not token_matches("anything", None)
