"""Meta's webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``."""

from __future__ import annotations

import hashlib
import hmac

from helpdesk.errors import SignatureError

HEADER = "X-Hub-Signature-256"


def sign(secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str | None, body: bytes, header: str | None) -> None:
    """Raise ``SignatureError`` unless ``header`` signs exactly these raw bytes.

    The comparison is constant-time (``hmac.compare_digest``) so that an attacker cannot
    learn the signature byte by byte from response times.
    """
    if not secret:
        raise SignatureError("WHATSAPP_APP_SECRET is not set; webhooks cannot be verified")
    if not header:
        raise SignatureError("missing X-Hub-Signature-256 header")
    algorithm, _, received = header.partition("=")
    if algorithm.strip().lower() != "sha256" or not received:
        raise SignatureError("X-Hub-Signature-256 must be 'sha256=<hex>'")
    expected = sign(secret, body)
    if not hmac.compare_digest(expected.encode("ascii"), f"sha256={received.strip()}".encode()):
        raise SignatureError("X-Hub-Signature-256 does not match the body")
