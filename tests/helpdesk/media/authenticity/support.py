"""Helpers shared by the authenticity tests: bytes to fingerprint the way the product does."""

from __future__ import annotations

from helpdesk.media import limits
from helpdesk.media.authenticity.fingerprint import Fingerprint, fingerprint
from helpdesk.media.decode import load_image
from helpdesk.media.intake import sniff


def fingerprint_bytes(data: bytes) -> Fingerprint | None:
    """Decoded as ``analyze`` decodes a photo (luminance, reduced size), then fingerprinted."""
    found = sniff(data)
    assert found is not None
    return fingerprint(load_image(data, found.mime, long_side=limits.WORK_LONG_SIDE).grey)
