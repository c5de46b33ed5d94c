"""The encrypted media store: a local folder by default, S3 by URL.

    store = get_media_store()
    obj = store.put(data, mime="image/jpeg")   # StoredObject(sha256, size, mime)
    store.get(obj.sha256) -> bytes             # the stored (metadata-stripped) plaintext

**Addressing.** Objects are addressed by the SHA-256 of the *stored* plaintext, that is of
the bytes after location metadata was removed (``helpdesk.store.sanitize``), which are
exactly the bytes ``get`` returns. So ``sha256(store.get(h)) == h`` always holds (``get``
checks it), the same received bytes always give the same address (stripping is
deterministic), and the same photo sent by two customers with different GPS tags is kept
once. The sha256 the channel reports is this one; it is not the hash of the bytes Meta
delivered.

**Encryption.** AES-256-GCM (``cryptography``); each object is
``b"HDM1" | len(key id) | key id | 12-byte nonce | ciphertext+tag`` with the header and
the address bound as associated data, so an object copied under another name or with its
key id edited fails to decrypt. Keys: ``HELPDESK_MEDIA_KEY`` (see ``helpdesk.store.keys``).

**Backends.** ``HELPDESK_MEDIA_STORE`` = ``file:FOLDER`` (relative folders are resolved
against the project) or ``s3://bucket/prefix`` (boto3; credentials, region and endpoint come
from boto3's usual sources, e.g. ``AWS_ENDPOINT_URL`` for MinIO or a test server).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from helpdesk.errors import ConfigurationError, MediaNotFound, StorageError
from helpdesk.settings import PROJECT_ROOT, get_settings
from helpdesk.store.keys import KeyRing, load_keys
from helpdesk.store.sanitize import strip_metadata

__all__ = ["MediaStore", "StoredObject", "get_media_store"]

MAGIC = b"HDM1"
_NONCE = 12
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredObject:
    sha256: str
    size: int
    mime: str


class Backend(Protocol):
    def write(self, name: str, blob: bytes) -> None: ...
    def read(self, name: str) -> bytes | None: ...
    def exists(self, name: str) -> bool: ...
    def remove(self, name: str) -> bool: ...


class FileBackend:
    """Objects as files ``FOLDER/ab/<sha256>``, written atomically (temp file + rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / name[:2] / name

    def write(self, name: str, blob: bytes) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def remove(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        return True


class S3Backend:
    """Objects as ``s3://bucket/prefix/ab/<sha256>`` through boto3."""

    def __init__(self, bucket: str, prefix: str, client: object | None = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name[:2]}/{name}" if self.prefix else f"{name[:2]}/{name}"

    def _missing(self, error: Exception) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def write(self, name: str, blob: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=blob)

    def read(self, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if self._missing(error):
                return None
            raise
        return answer["Body"].read()

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if self._missing(error):
                return False
            raise
        return True

    def remove(self, name: str) -> bool:
        if not self.exists(name):
            return False
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        return True


class MediaStore:
    """Encrypts, addresses by sha256 and strips location metadata; see the module doc."""

    def __init__(self, backend: Backend, keys: KeyRing) -> None:
        self.backend = backend
        self.keys = keys

    def put(self, data: bytes, *, mime: str) -> StoredObject:
        """Store ``data`` (idempotent) and return its address; see the module doc."""
        clean = strip_metadata(bytes(data), mime)
        digest = hashlib.sha256(clean).hexdigest()
        try:
            if not self.backend.exists(digest):
                self.backend.write(digest, self._seal(digest, clean))
        except (OSError, *_boto_errors()) as error:
            raise StorageError(f"Could not store media {digest[:12]}…: {error}") from error
        return StoredObject(sha256=digest, size=len(clean), mime=mime)

    def get(self, sha256: str) -> bytes:
        """The stored plaintext; ``MediaNotFound`` if absent, ``StorageError`` if tampered."""
        name = _checked(sha256)
        try:
            blob = self.backend.read(name)
        except (OSError, *_boto_errors()) as error:
            raise StorageError(f"Could not read media {name[:12]}…: {error}") from error
        if blob is None:
            raise MediaNotFound(f"No stored media {name[:12]}…")
        data = self._open(name, blob)
        if hashlib.sha256(data).hexdigest() != name:
            raise StorageError(f"Stored media {name[:12]}… does not match its address.")
        return data

    def exists(self, sha256: str) -> bool:
        try:
            return self.backend.exists(_checked(sha256))
        except (OSError, *_boto_errors()) as error:
            raise StorageError(f"Could not reach the media store: {error}") from error

    def delete(self, sha256: str) -> bool:
        """Remove the object; ``False`` when there was nothing to remove."""
        try:
            return self.backend.remove(_checked(sha256))
        except (OSError, *_boto_errors()) as error:
            raise StorageError(f"Could not delete media {sha256[:12]}…: {error}") from error

    def key_id_of(self, sha256: str) -> str:
        """Which key encrypted an object (for rotation reports)."""
        blob = self.backend.read(_checked(sha256))
        if blob is None:
            raise MediaNotFound(f"No stored media {sha256[:12]}…")
        return _parse_header(blob)[0]

    def reencrypt(self, sha256: str) -> bool:
        """Re-encrypt an object with the current key; ``True`` if it was rewritten."""
        if self.key_id_of(sha256) == self.keys.current:
            return False
        self.backend.write(sha256, self._seal(sha256, self.get(sha256)))
        return True

    def _seal(self, digest: str, plaintext: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key_id = self.keys.current.encode("ascii")
        header = MAGIC + bytes([len(key_id)]) + key_id
        nonce = secrets.token_bytes(_NONCE)
        sealed = AESGCM(self.keys.keys[self.keys.current]).encrypt(
            nonce, plaintext, header + digest.encode("ascii")
        )
        return header + nonce + sealed

    def _open(self, digest: str, blob: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key_id, header_len = _parse_header(blob)
        key = self.keys.key(key_id)
        if key is None:
            raise ConfigurationError(
                f"Media {digest[:12]}… is encrypted with key id {key_id!r}, "
                "which HELPDESK_MEDIA_KEY does not list.",
                hint="Keep old keys in HELPDESK_MEDIA_KEY after the current one until "
                "every object has been re-encrypted.",
            )
        nonce = blob[header_len : header_len + _NONCE]
        try:
            return AESGCM(key).decrypt(
                nonce, blob[header_len + _NONCE :], blob[:header_len] + digest.encode("ascii")
            )
        except InvalidTag as error:
            raise StorageError(f"Stored media {digest[:12]}… failed authentication.") from error


def _parse_header(blob: bytes) -> tuple[str, int]:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 1:
        raise StorageError("Not a helpdesk media object (bad header).")
    length = blob[len(MAGIC)]
    end = len(MAGIC) + 1 + length
    return blob[len(MAGIC) + 1 : end].decode("ascii", "replace"), end


def _checked(sha256: str) -> str:
    name = (sha256 or "").lower()
    if not _SHA256.match(name):
        raise MediaNotFound(f"{sha256!r} is not a sha256 address.")
    return name


def _boto_errors() -> tuple[type[Exception], ...]:
    """botocore's failures; empty until boto3 is loaded, so a file store never loads it."""
    if "botocore.exceptions" not in sys.modules:
        return ()
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def open_store(url: str, key_setting: str | None) -> MediaStore:
    """A store for an explicit URL and key setting (``get_media_store`` uses the settings)."""
    keys = load_keys(key_setting)
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not bucket:
            raise ConfigurationError("HELPDESK_MEDIA_STORE s3:// URL needs a bucket name.")
        return MediaStore(S3Backend(bucket, prefix), keys)
    if url.startswith("file:"):
        folder = Path(url[len("file:") :].removeprefix("//"))
        if not folder.is_absolute():
            folder = PROJECT_ROOT / folder
        return MediaStore(FileBackend(folder), keys)
    raise ConfigurationError(
        f"HELPDESK_MEDIA_STORE {url!r} is neither file:FOLDER nor s3://bucket/prefix."
    )


_cache: dict[tuple[str, str | None], MediaStore] = {}


def get_media_store() -> MediaStore:
    """The store configured by ``HELPDESK_MEDIA_STORE`` and ``HELPDESK_MEDIA_KEY``."""
    settings = get_settings()
    cache_key = (settings.media_store, settings.media_key)
    store = _cache.get(cache_key)
    if store is None:
        store = _cache[cache_key] = open_store(settings.media_store, settings.media_key)
    return store
