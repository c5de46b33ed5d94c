"""Media encryption keys: ``HELPDESK_MEDIA_KEY`` = ``"id:base64key,id2:base64key"``.

The first key encrypts; every listed key decrypts, so rotating means putting a new key in
front and keeping the old ones until the objects they wrote have been re-encrypted or
purged. When the setting is empty (development), one key is generated the first time into
``var/media-key`` (git-ignored) and reused afterwards; a production deployment sets the
variable and this file is never read.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from helpdesk.errors import ConfigurationError
from helpdesk.settings import PROJECT_ROOT

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class KeyRing:
    """The encrypting key id and every key that may decrypt."""

    current: str
    keys: dict[str, bytes]

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


def parse_keys(value: str) -> KeyRing:
    """Parse ``"id:base64key,..."``; each key must decode to exactly 32 bytes (AES-256)."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ConfigurationError(
                "HELPDESK_MEDIA_KEY must look like 'id:base64key,id2:base64key' "
                "(ids are letters, digits, '_', '.', '-')."
            )
        try:
            raw = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ConfigurationError(
                f"HELPDESK_MEDIA_KEY key {key_id!r} is not valid base64."
            ) from error
        if len(raw) != 32:
            raise ConfigurationError(
                f"HELPDESK_MEDIA_KEY key {key_id!r} is {len(raw)} bytes; AES-256 needs 32.",
                hint='Generate one with: python -c "import os,base64;'
                'print(base64.b64encode(os.urandom(32)).decode())"',
            )
        if key_id in keys:
            raise ConfigurationError(f"HELPDESK_MEDIA_KEY lists key id {key_id!r} twice.")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ConfigurationError("HELPDESK_MEDIA_KEY is set but lists no key.")
    return KeyRing(current=order[0], keys=keys)


def default_key_path() -> Path:
    return PROJECT_ROOT / "var" / "media-key"


def ensure_local_key(path: Path | None = None) -> str:
    """The development key string, generated once into ``path`` (0600) if it is missing.

    Created with O_EXCL so that two processes starting together agree on one key instead of
    each writing its own (which would leave one process unable to read the other's media).
    """
    path = path or default_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        value = "local1:" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(value + "\n")
            return value
    for _ in range(50):  # another process may be between O_EXCL and write
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text

        time.sleep(0.01)
    raise ConfigurationError(f"The local media key file {path} is empty.")


def load_keys(setting: str | None, *, local_path: Path | None = None) -> KeyRing:
    """The key ring from the setting, or from the generated local key when it is unset."""
    if setting and setting.strip():
        return parse_keys(setting)
    return parse_keys(ensure_local_key(local_path))
