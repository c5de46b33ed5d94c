"""One settings object for the whole product, read from the environment.

Precedence: environment variables, then the ``.env`` file in the working directory, then
the defaults below (embedded defaults that let ``make run`` work on a laptop with no
account anywhere). ``.env.example`` documents every setting; keep the two in step
(``tests/helpdesk/test_settings.py`` checks it).
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from pydantic import BaseSettings, Field, validator

from helpdesk.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Secrets that must never have a committed default. For local use they are generated once
# into var/local-secrets.env (git-ignored) so that the bot and the sandbox agree on them.
GENERATED_SECRETS = ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN")
# Generated the same way, but only by the process that needs it (the agent console signs its
# session cookies with it): ``ensure_local_secrets(names=GENERATED_SECRETS + CONSOLE_SECRETS)``.
CONSOLE_SECRETS = ("HELPDESK_SESSION_SECRET",)


class Settings(BaseSettings):
    # --- WhatsApp Cloud API (or the local sandbox) ---
    whatsapp_access_token: str | None = Field(None, env="WHATSAPP_ACCESS_TOKEN")
    whatsapp_app_secret: str | None = Field(None, env="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: str | None = Field(None, env="WHATSAPP_VERIFY_TOKEN")
    whatsapp_phone_number_id: str = Field("100000000000001", env="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_graph_url: str = Field("http://localhost:8001", env="WHATSAPP_GRAPH_URL")
    whatsapp_api_version: str = Field("v21.0", env="WHATSAPP_API_VERSION")
    whatsapp_messages_per_second: float = Field(80.0, env="WHATSAPP_MESSAGES_PER_SECOND")
    whatsapp_window_template: str | None = Field(None, env="WHATSAPP_WINDOW_TEMPLATE")
    # Where the local WhatsApp sandbox delivers webhooks (the bot's WhatsApp channel).
    sandbox_webhook_url: str = Field(
        "http://localhost:5005/webhooks/whatsapp/webhook", env="HELPDESK_SANDBOX_WEBHOOK_URL"
    )

    # --- storage ---
    database_url: str = Field("sqlite:///var/helpdesk.db", env="HELPDESK_DATABASE_URL")
    tracker_store_url: str = Field("sqlite:///var/tracker.db", env="HELPDESK_TRACKER_STORE_URL")
    media_store: str = Field("file:var/media", env="HELPDESK_MEDIA_STORE")
    media_key: str | None = Field(None, env="HELPDESK_MEDIA_KEY")
    # Shared state of several replicas (outbound pacing; Rasa's lock store in production).
    redis_url: str | None = Field(None, env="HELPDESK_REDIS_URL")
    replicas: int = Field(1, env="HELPDESK_REPLICAS", ge=1, le=32)

    # --- processes and ports ---
    rasa_port: int = Field(5005, env="HELPDESK_RASA_PORT")
    action_port: int = Field(5055, env="HELPDESK_ACTION_PORT")
    console_port: int = Field(8000, env="HELPDESK_CONSOLE_PORT")
    sandbox_port: int = Field(8001, env="HELPDESK_SANDBOX_PORT")
    # Production topology (helpdesk.deploy.topology): internal listeners bind this host;
    # nginx is the only public listener; Rasa reaches the action servers through nginx.
    internal_host: str = Field("127.0.0.1", env="HELPDESK_INTERNAL_HOST")
    public_port: int = Field(8080, env="HELPDESK_PUBLIC_PORT")
    actions_proxy_port: int = Field(5050, env="HELPDESK_ACTIONS_PROXY_PORT")
    action_endpoint_url: str = Field(
        "http://localhost:5055/webhook", env="HELPDESK_ACTION_ENDPOINT_URL"
    )
    rasa_url: str = Field("http://localhost:5005", env="HELPDESK_RASA_URL")
    log_level: str = Field("INFO", env="HELPDESK_LOG_LEVEL")

    # --- conversation ---
    default_language: str = Field("en", env="HELPDESK_DEFAULT_LANGUAGE")
    capture_max_tries: int = Field(3, env="HELPDESK_CAPTURE_MAX_TRIES")
    # The knowledge base (YAML files designers edit); relative paths start at the project.
    knowledge_dir: str = Field("knowledge", env="HELPDESK_KNOWLEDGE_DIR")

    # --- handoff, agent console and external ticketing ---
    ticketing: str = Field("builtin", env="HELPDESK_TICKETING")
    business_hours: str = Field("Mon-Fri 09:00-18:00", env="HELPDESK_BUSINESS_HOURS")
    timezone: str = Field("UTC", env="HELPDESK_TIMEZONE")
    session_secret: str | None = Field(None, env="HELPDESK_SESSION_SECRET")
    secure_cookies: bool = Field(False, env="HELPDESK_SECURE_COOKIES")
    login_max_failures: int = Field(5, env="HELPDESK_LOGIN_MAX_FAILURES")
    login_lockout_seconds: int = Field(900, env="HELPDESK_LOGIN_LOCKOUT_SECONDS")
    api_token_hours: int = Field(12, env="HELPDESK_API_TOKEN_HOURS")
    metrics_token: str | None = Field(None, env="HELPDESK_METRICS_TOKEN")
    resume_intent: str = Field("handoff_ended", env="HELPDESK_RESUME_INTENT")
    rasa_token: str | None = Field(None, env="HELPDESK_RASA_TOKEN")
    zendesk_subdomain: str | None = Field(None, env="ZENDESK_SUBDOMAIN")
    zendesk_url: str | None = Field(None, env="ZENDESK_URL")
    zendesk_email: str | None = Field(None, env="ZENDESK_EMAIL")
    zendesk_api_token: str | None = Field(None, env="ZENDESK_API_TOKEN")
    zendesk_webhook_secret: str | None = Field(None, env="ZENDESK_WEBHOOK_SECRET")
    freshdesk_domain: str | None = Field(None, env="FRESHDESK_DOMAIN")
    freshdesk_url: str | None = Field(None, env="FRESHDESK_URL")
    freshdesk_api_key: str | None = Field(None, env="FRESHDESK_API_KEY")
    freshdesk_webhook_secret: str | None = Field(None, env="FRESHDESK_WEBHOOK_SECRET")

    class Config:
        env_file = str(PROJECT_ROOT / ".env")
        env_file_encoding = "utf-8"
        case_sensitive = False

    @validator("default_language")
    def _known_language(cls, value: str) -> str:  # noqa: N805 (pydantic validator)
        if value not in ("en", "es"):
            raise ValueError("HELPDESK_DEFAULT_LANGUAGE must be 'en' or 'es'")
        return value

    @validator("ticketing")
    def _known_backend(cls, value: str) -> str:  # noqa: N805
        if value not in ("builtin", "zendesk", "freshdesk"):
            raise ValueError("HELPDESK_TICKETING must be 'builtin', 'zendesk' or 'freshdesk'")
        return value

    @validator("database_url", "tracker_store_url")
    def _sqlite_paths_absolute(cls, value: str) -> str:  # noqa: N805
        """Resolve relative SQLite paths against the project, not the caller's directory."""
        prefix = "sqlite:///"
        if value.startswith(prefix) and not value.startswith(prefix + "/"):
            relative = value[len(prefix) :]
            if relative and relative != ":memory:":
                return prefix + str(PROJECT_ROOT / relative)
        return value

    def rasa_environment(self) -> dict[str, str]:
        """The variables that credentials.yml and endpoints.yml expand with ``${VAR}``."""
        values = {
            "WHATSAPP_ACCESS_TOKEN": self.whatsapp_access_token or "",
            "WHATSAPP_APP_SECRET": self.whatsapp_app_secret or "",
            "WHATSAPP_VERIFY_TOKEN": self.whatsapp_verify_token or "",
            "WHATSAPP_PHONE_NUMBER_ID": self.whatsapp_phone_number_id,
            "WHATSAPP_GRAPH_URL": self.whatsapp_graph_url,
            "HELPDESK_ACTION_ENDPOINT_URL": self.action_endpoint_url,
            "HELPDESK_DATABASE_URL": self.database_url,
            "HELPDESK_TRACKER_STORE_URL": self.tracker_store_url,
        }
        return values


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def ensure_local_secrets(
    path: Path | None = None, names: tuple[str, ...] = GENERATED_SECRETS
) -> dict[str, str]:
    """Generate development secrets once into ``var/local-secrets.env`` and export them.

    Only secrets that are not already set (environment or ``.env``) are generated; a
    production deployment sets all of them and this function then changes nothing.
    """
    path = path or PROJECT_ROOT / "var" / "local-secrets.env"
    dotenv = _read_env_file(PROJECT_ROOT / ".env")
    stored = _read_env_file(path)
    missing = [name for name in names if not os.environ.get(name) and not dotenv.get(name)]
    changed = False
    for name in missing:
        if name not in stored:
            stored[name] = secrets.token_urlsafe(32)
            changed = True
        os.environ[name] = stored[name]
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Generated for local development by helpdesk; never used when these are set.\n"
            + "".join(f"{key}={value}\n" for key, value in sorted(stored.items())),
            encoding="utf-8",
        )
        path.chmod(0o600)
    get_settings.cache_clear()
    return {name: os.environ[name] for name in missing}


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; call ``get_settings.cache_clear()`` after changing env."""
    try:
        return Settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise ConfigurationError(f"Invalid settings: {error}") from error
