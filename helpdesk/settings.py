"""One settings object for the whole product, read from the environment.

Precedence: environment variables, then the ``.env`` file in the working directory, then
the defaults below (embedded defaults that let ``make run`` work on a laptop with no
account anywhere). ``.env.example`` documents every setting; keep the two in step
(``tests/helpdesk/test_settings.py`` checks it).
"""

from __future__ import annotations

import enum
import functools
import os
import secrets
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseSettings, Field, validator

from helpdesk.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LOCAL_SECRETS_FILE = Path("var") / "local-secrets.env"

# Secrets that must never have a committed default. For local use they are generated once
# into var/local-secrets.env (git-ignored) so that the bot and the sandbox agree on them.
GENERATED_SECRETS = ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN")
# The tokens of Rasa's HTTP API (the console sends it to resume the bot) and of the action
# server (Rasa sends it with every action call); ``helpdesk run`` and ``helpdesk exec``
# generate them with the WhatsApp ones: ``names=GENERATED_SECRETS + RASA_SECRETS``.
RASA_SECRETS = ("HELPDESK_RASA_TOKEN", "HELPDESK_ACTION_TOKEN")
# Generated the same way, but only by the process that needs it (the agent console signs its
# session cookies with it, and resumes the bot through Rasa's API with the Rasa token):
# ``ensure_local_secrets(names=GENERATED_SECRETS + CONSOLE_SECRETS)``.
CONSOLE_SECRETS = ("HELPDESK_SESSION_SECRET", "HELPDESK_RASA_TOKEN")
# Every secret a production deployment must set itself (``helpdesk.profiles`` checks them).
PRODUCTION_SECRETS = tuple(dict.fromkeys(GENERATED_SECRETS + RASA_SECRETS + CONSOLE_SECRETS))


class Profile(str, enum.Enum):
    """How the product is run: on a laptop with the sandbox, or exposed to Meta."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class InboxWorkerHost(str, enum.Enum):
    """Where the WhatsApp inbox worker (claims, media, Graph calls) runs."""

    RASA = "rasa"  # inside the Rasa server, beside the dialogue (one process: development)
    PROCESS = "process"  # in ``helpdesk worker``; Rasa runs only the turns (production)


class Settings(BaseSettings):
    # development: the sandbox, the REST channel, generated local secrets and a first admin.
    # production: no REST channel, and ``helpdesk run`` refuses to start on unsafe settings.
    profile: Profile = Field(Profile.DEVELOPMENT, env="HELPDESK_PROFILE")

    # --- WhatsApp Cloud API (or the local sandbox) ---
    whatsapp_access_token: str | None = Field(None, env="WHATSAPP_ACCESS_TOKEN")
    whatsapp_app_secret: str | None = Field(None, env="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: str | None = Field(None, env="WHATSAPP_VERIFY_TOKEN")
    whatsapp_phone_number_id: str = Field("100000000000001", env="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_graph_url: str = Field("http://localhost:8001", env="WHATSAPP_GRAPH_URL")
    whatsapp_api_version: str = Field("v21.0", env="WHATSAPP_API_VERSION")
    whatsapp_messages_per_second: float = Field(80.0, env="WHATSAPP_MESSAGES_PER_SECOND")
    whatsapp_window_template: str | None = Field(None, env="WHATSAPP_WINDOW_TEMPLATE")
    # The satisfaction survey sent as a template when the window has closed (templates).
    whatsapp_survey_template: str | None = Field(None, env="WHATSAPP_SURVEY_TEMPLATE")
    # Meta's rates per delivered billable message, by market and category (whatsapp.pricing).
    whatsapp_prices: str = Field("", env="WHATSAPP_PRICES")
    # Merge one turn's replies into as few (billable) messages as Meta allows.
    whatsapp_merge_messages: bool = Field(True, env="WHATSAPP_MERGE_MESSAGES")
    # A replayed turn that finds a reply reserved but never confirmed waits this long after
    # the reservation for Meta's status webhook naming it before sending it again.
    whatsapp_reply_confirm_seconds: float = Field(60.0, env="WHATSAPP_REPLY_CONFIRM_SECONDS")
    whatsapp_price_currency: str = Field("USD", env="WHATSAPP_PRICE_CURRENCY")
    # Where the local WhatsApp sandbox delivers webhooks (the bot's WhatsApp channel).
    sandbox_webhook_url: str = Field(
        "http://localhost:5005/webhooks/whatsapp/webhook", env="HELPDESK_SANDBOX_WEBHOOK_URL"
    )
    # How long the sandbox keeps retrying a webhook the bot did not acknowledge (Meta: up
    # to 7 days), and the longest wait between two tries (the waits double from 0.5 s).
    sandbox_retry_window: float = Field(3600.0, env="HELPDESK_SANDBOX_RETRY_WINDOW", gt=0)
    sandbox_retry_max_delay: float = Field(15.0, env="HELPDESK_SANDBOX_RETRY_MAX_DELAY", gt=0)

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
    # `helpdesk run` (development) keeps a second, loaded Rasa waiting that takes over the
    # port at once if Rasa dies (about 750 MB of memory more; helpdesk.supervisor).
    rasa_standby: bool = Field(True, env="HELPDESK_RASA_STANDBY")
    # Rasa and the action servers drop to this CPU niceness once they accept connections,
    # so that webhook acknowledgements win the CPU over turns (helpdesk.priority); 0: off,
    # the default: on a machine shared with other work they yield to that work too.
    dialogue_niceness: int = Field(0, env="HELPDESK_DIALOGUE_NICENESS", ge=0, le=19)
    action_port: int = Field(5055, env="HELPDESK_ACTION_PORT")
    console_port: int = Field(8000, env="HELPDESK_CONSOLE_PORT")
    sandbox_port: int = Field(8001, env="HELPDESK_SANDBOX_PORT")
    # Production topology (helpdesk.deploy.topology): internal listeners bind this host;
    # nginx is the only public listener; Rasa reaches the action servers through nginx.
    internal_host: str = Field("127.0.0.1", env="HELPDESK_INTERNAL_HOST")
    public_port: int = Field(8080, env="HELPDESK_PUBLIC_PORT")
    actions_proxy_port: int = Field(5050, env="HELPDESK_ACTIONS_PROXY_PORT")
    # The webhook's own process (helpdesk ingest), behind nginx, with Rasa as its backup.
    ingest_port: int = Field(5090, env="HELPDESK_INGEST_PORT")
    # The inbox worker: inside Rasa, or a process of its own (helpdesk worker) that posts
    # each message to Rasa's internal turn endpoint, so Rasa's one core does only dialogue.
    # Unset: inside Rasa under `make run`, a process of its own in the production topology.
    inbox_worker: InboxWorkerHost | None = Field(None, env="HELPDESK_INBOX_WORKER")
    # The worker process's health route (its readiness for the supervisor and the tests).
    worker_port: int = Field(5091, env="HELPDESK_WORKER_PORT")
    action_endpoint_url: str = Field(
        "http://localhost:5055/webhook", env="HELPDESK_ACTION_ENDPOINT_URL"
    )
    rasa_url: str = Field("http://localhost:5005", env="HELPDESK_RASA_URL")
    # Interfaces the processes listen on. Rasa holds the public webhook, but in development
    # its REST channel (which believes any sender) is on, so it stays on loopback there;
    # None means 127.0.0.1 in development and 0.0.0.0 in production.
    rasa_host: str | None = Field(None, env="HELPDESK_RASA_HOST")
    action_host: str = Field("127.0.0.1", env="HELPDESK_ACTION_HOST")
    console_host: str = Field("127.0.0.1", env="HELPDESK_CONSOLE_HOST")
    sandbox_host: str = Field("127.0.0.1", env="HELPDESK_SANDBOX_HOST")
    # Browser origins allowed to call Rasa's HTTP API (comma-separated); empty: none.
    cors_origins: str = Field("", env="HELPDESK_CORS_ORIGINS")
    # The token Rasa sends to the action server (``?token=``); the action server refuses
    # every call without it.
    action_token: str | None = Field(None, env="HELPDESK_ACTION_TOKEN")
    sandbox_enabled: bool = Field(True, env="HELPDESK_SANDBOX_ENABLED")
    # Every line of every process ``helpdesk run`` starts (relative to the project).
    run_log: str = Field("var/log/run.log", env="HELPDESK_RUN_LOG")
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

    # --- hardening: isolated analysis ---
    media_analysis_budget_seconds: float = Field(20.0, env="HELPDESK_MEDIA_ANALYSIS_BUDGET_SECONDS")
    media_analysis_memory_mb: int = Field(1536, env="HELPDESK_MEDIA_ANALYSIS_MEMORY_MB")
    # The folder Tesseract reads its eng, spa and osd models from ("": the system's, where
    # the Debian packages put them); relative to the project. The OCR is calibrated on one
    # model set (README: OCR models), so a folder of other models reads differently.
    tessdata_dir: str = Field("", env="HELPDESK_TESSDATA_DIR")
    # Which OCR engine reads pictures: "auto" (camera pictures, i.e. photos, labels and
    # receipts, by PaddleOCR's PP-OCRv6 models, the rest by Tesseract; README: OCR models)
    # or "tesseract" (every picture by Tesseract, as before PP-OCR).
    ocr_engine: str = Field("auto", env="HELPDESK_OCR_ENGINE")

    # --- retention (days; helpdesk.retention, `helpdesk purge`) ---
    retention_media_days: int = Field(90, env="HELPDESK_RETENTION_MEDIA_DAYS")
    retention_inbox_days: int = Field(30, env="HELPDESK_RETENTION_INBOX_DAYS")
    retention_transcripts_days: int = Field(90, env="HELPDESK_RETENTION_TRANSCRIPTS_DAYS")
    retention_tickets_days: int = Field(365, env="HELPDESK_RETENTION_TICKETS_DAYS")
    retention_audit_days: int = Field(730, env="HELPDESK_RETENTION_AUDIT_DAYS")
    retention_daily_purge: bool = Field(True, env="HELPDESK_RETENTION_DAILY_PURGE")

    @validator("retention_inbox_days")
    def _inbox_outlives_redelivery(cls, value: int) -> int:  # noqa: N805
        # Meta redelivers a webhook for up to 7 days; the stored wamid is what drops it.
        if value < 8:
            raise ValueError("HELPDESK_RETENTION_INBOX_DAYS must be at least 8 (Meta retries 7)")
        return value

    class Config:
        env_file = str(PROJECT_ROOT / ".env")
        env_file_encoding = "utf-8"
        case_sensitive = False

    @validator("profile", pre=True)
    def _profile_lowercase(cls, value: object) -> object:  # noqa: N805
        return value.strip().lower() if isinstance(value, str) else value

    @validator("default_language")
    def _known_language(cls, value: str) -> str:  # noqa: N805 (pydantic validator)
        if value not in ("en", "es"):
            raise ValueError("HELPDESK_DEFAULT_LANGUAGE must be 'en' or 'es'")
        return value

    @validator("ocr_engine")
    def _known_ocr_engine(cls, value: str) -> str:  # noqa: N805
        value = value.strip().lower()
        if value not in ("auto", "tesseract"):
            raise ValueError("HELPDESK_OCR_ENGINE must be 'auto' or 'tesseract'")
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

    @property
    def run_log_path(self) -> Path:
        return PROJECT_ROOT / self.run_log  # an absolute run_log wins over the project

    @property
    def rasa_interface(self) -> str:
        if self.rasa_host:
            return self.rasa_host
        return "0.0.0.0" if self.profile is Profile.PRODUCTION else "127.0.0.1"

    @property
    def tessdata_path(self) -> Path | None:
        """HELPDESK_TESSDATA_DIR as an absolute folder, None for the system's models."""
        return PROJECT_ROOT / self.tessdata_dir if self.tessdata_dir.strip() else None

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    def rasa_environment(self) -> dict[str, str]:
        """The variables that credentials.yml and endpoints.yml expand with ``${VAR}``."""
        values = {
            "WHATSAPP_ACCESS_TOKEN": self.whatsapp_access_token or "",
            "WHATSAPP_APP_SECRET": self.whatsapp_app_secret or "",
            "WHATSAPP_VERIFY_TOKEN": self.whatsapp_verify_token or "",
            "WHATSAPP_PHONE_NUMBER_ID": self.whatsapp_phone_number_id,
            "WHATSAPP_GRAPH_URL": self.whatsapp_graph_url,
            "HELPDESK_ACTION_ENDPOINT_URL": self.action_endpoint_url,
            "HELPDESK_ACTION_TOKEN": self.action_token or "",
            "HELPDESK_DATABASE_URL": self.database_url,
            "HELPDESK_TRACKER_STORE_URL": self.tracker_store_url,
        }
        return values


def read_env_file(path: Path) -> dict[str, str]:
    """The assignments of a ``.env``-style file (none when it does not exist)."""
    if not path.exists():
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def local_secrets_path() -> Path:
    return PROJECT_ROOT / LOCAL_SECRETS_FILE


def ensure_local_secrets(
    path: Path | None = None, names: tuple[str, ...] = GENERATED_SECRETS
) -> dict[str, str]:
    """Generate development secrets once into ``var/local-secrets.env`` and export them.

    Only secrets that are not already set (environment or ``.env``) are generated; a
    production deployment sets all of them and this function then changes nothing. In the
    production profile nothing is ever generated: an empty secret stays empty, and
    ``helpdesk run`` names it (``helpdesk.profiles``).
    """
    path = path or local_secrets_path()
    dotenv = read_env_file(PROJECT_ROOT / ".env")
    if _profile_from(dotenv) is not Profile.DEVELOPMENT:
        return {}
    stored = read_env_file(path)
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


def _profile_from(dotenv: dict[str, str]) -> Profile | None:
    """The profile before the settings are read; None when invalid (the settings say so)."""
    value = os.environ.get("HELPDESK_PROFILE") or dotenv.get("HELPDESK_PROFILE") or ""
    try:
        return Profile(value.strip().lower() or Profile.DEVELOPMENT.value)
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; call ``get_settings.cache_clear()`` after changing env."""
    try:
        return Settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise ConfigurationError(f"Invalid settings: {error}") from error
