"""How the bot addresses a customer by name: the WhatsApp profile name, else the username.

Meta's business-scoped user id guide says usernames "can be used in lieu of profile names
when personalizing message content". The profile name is what people call themselves, so
it wins; a username-only customer ("ana.b") is greeted as "@ana.b", the way WhatsApp shows
it. Both come from the webhook and are untrusted: control characters and WhatsApp's
formatting marks (*bold*, _italic_, ~strike~, `code`) are dropped, so a name cannot restyle
or break the bot's message, and the name is capped. A profile name is shortened to its
first word ("Ana María López" → "Ana"), as an agent would say it; a name with no letters
(an emoji, a phone number) is not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_NAME = 30
_FORMATTING = set("*_~`")


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    kept = "".join(" " if not ch.isprintable() else ch for ch in value if ch not in _FORMATTING)
    return " ".join(kept.split())[:MAX_NAME].strip()


def first_name(profile_name: object) -> str | None:
    words = _clean(profile_name).split()
    if not words or not any(ch.isalpha() for ch in words[0]):
        return None
    return words[0]


def handle(username: object) -> str | None:
    name = _clean(username).lstrip("@")
    if not name or " " in name or not any(ch.isalnum() for ch in name):
        return None
    return "@" + name


def address_name(metadata: Mapping[str, Any] | None) -> str | None:
    """The name to greet this customer by, or ``None`` to greet without one."""
    metadata = metadata or {}
    return first_name(metadata.get("profile_name")) or handle(metadata.get("username"))
