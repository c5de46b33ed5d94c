"""X-Hub-Signature-256: only the exact bytes signed with the app secret pass."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from helpdesk.errors import SignatureError
from helpdesk.whatsapp.signature import sign, verify

BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_meta_signature_verifies() -> None:
    header = "sha256=" + hmac.new(b"secret", BODY, hashlib.sha256).hexdigest()
    assert sign("secret", BODY) == header
    verify("secret", BODY, header)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha1=" + hmac.new(b"secret", BODY, hashlib.sha1).hexdigest(),
        sign("another secret", BODY),
        sign("secret", BODY + b" "),
        "sha256=",
    ],
    ids=["missing", "empty", "wrong", "sha1", "other-secret", "other-body", "no-digest"],
)
def test_anything_else_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify("secret", BODY, header)


def test_no_app_secret_configured_refuses_everything() -> None:
    with pytest.raises(SignatureError, match="WHATSAPP_APP_SECRET"):
        verify(None, BODY, sign("", BODY))
