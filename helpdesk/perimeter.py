"""What may be exposed, and how: service tokens, the production checks, Rasa's channels.

- Rasa's HTTP API always needs ``HELPDESK_RASA_TOKEN`` (``rasa_addons.serve``); the action
  server answers only calls carrying ``HELPDESK_ACTION_TOKEN`` (``rasa_sdk_plugins``, which
  calls ``token_matches``). Both are generated locally in development, like the other secrets.
- The production profile refuses to start on settings that are unsafe to expose
  (``production_problems`` names each one, ``check_profile`` raises with all of them).
- The REST channel believes any ``sender`` (whoever can post to it can speak, and erase
  data, as any customer), so only development offers it: production gets a copy of
  ``credentials.yml`` without it (``credentials_file``).
"""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from helpdesk.errors import UnsafeSettings
from helpdesk.settings import (
    LOCAL_SECRETS_FILE,
    PRODUCTION_SECRETS,
    PROJECT_ROOT,
    Profile,
    Settings,
    local_secrets_path,
    read_env_file,
)

# Channels of credentials.yml that only development may offer.
DEVELOPMENT_CHANNELS = ("rest",)
_NEW_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
_NEW_MEDIA_KEY = (
    "python -c 'import os, base64; print(\"key1:\" + base64.b64encode(os.urandom(32)).decode())'"
)


def token_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an unset expected token matches nothing (fail closed)."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _value(settings: Settings, env_name: str) -> str:
    for name, field in Settings.__fields__.items():
        if field.field_info.extra.get("env") == env_name:
            return str(getattr(settings, name) or "").strip()
    raise KeyError(env_name)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def production_problems(settings: Settings, *, local_secrets: Path | None = None) -> list[str]:
    """Every reason not to expose this configuration, one sentence per setting."""
    problems: list[str] = []
    generated = read_env_file(local_secrets or local_secrets_path())
    for name in PRODUCTION_SECRETS:
        value = _value(settings, name)
        if not value:
            problems.append(f"{name} is empty: set a secret of your own (e.g. `{_NEW_SECRET}`).")
        elif generated.get(name) == value:
            problems.append(
                f"{name} is the development value generated into {LOCAL_SECRETS_FILE}: "
                f"set a secret of your own (e.g. `{_NEW_SECRET}`)."
            )
    graph = urlsplit(settings.whatsapp_graph_url)
    if _is_loopback(graph.hostname or "") or graph.port == settings.sandbox_port:
        problems.append(
            f"WHATSAPP_GRAPH_URL={settings.whatsapp_graph_url} is the local sandbox, not Meta: "
            "set https://graph.facebook.com."
        )
    elif graph.scheme != "https":
        problems.append(
            f"WHATSAPP_GRAPH_URL={settings.whatsapp_graph_url} is plain http: the access token "
            "would travel in clear; use https://graph.facebook.com."
        )
    if not settings.secure_cookies:
        problems.append(
            "HELPDESK_SECURE_COOKIES is false: serve the console over HTTPS and set it to true, "
            "so the session cookie is never sent in clear."
        )
    if not (settings.media_key or "").strip():
        problems.append(
            "HELPDESK_MEDIA_KEY is empty: a key would be generated on the spot into var/, and "
            "stored media would be unreadable wherever that file is missing (another host, a "
            f"new container); set your own (e.g. `{_NEW_MEDIA_KEY}`)."
        )
    if settings.sandbox_enabled:
        problems.append(
            "HELPDESK_SANDBOX_ENABLED is true: the sandbox is a fake Meta for development; "
            "set it to false."
        )
    if "*" in settings.cors_origin_list:
        problems.append(
            "HELPDESK_CORS_ORIGINS allows every origin (*): list the origins that may call "
            "Rasa's API, or leave it empty."
        )
    return problems


def check_profile(settings: Settings, *, local_secrets: Path | None = None) -> None:
    """Raise ``UnsafeSettings`` naming every unsafe setting when the profile is production."""
    if settings.profile is not Profile.PRODUCTION:
        return
    problems = production_problems(settings, local_secrets=local_secrets)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise UnsafeSettings(
            f"the production profile refuses to start on {len(problems)} unsafe "
            f"setting(s):\n{listed}\n",
            problems=problems,
        )


def credentials_file(settings: Settings, *, source: Path | None = None) -> Path:
    """The credentials.yml Rasa gets: as committed in development; in production a copy
    under var/run/ without the development channels (the ``${VAR}`` placeholders stay for
    Rasa to fill from the environment)."""
    source = source or PROJECT_ROOT / "credentials.yml"
    if settings.profile is Profile.DEVELOPMENT:
        return source
    channels = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    for name in DEVELOPMENT_CHANNELS:
        channels.pop(name, None)
    target = PROJECT_ROOT / "var" / "run" / f"credentials-{settings.profile.value}.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        f"# Rendered from {source.name} for the {settings.profile.value} profile by "
        "helpdesk.perimeter; edit the source instead.\n"
        + yaml.safe_dump(channels, sort_keys=False),
        encoding="utf-8",
    )
    return target
