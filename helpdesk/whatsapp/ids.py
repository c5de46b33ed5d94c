"""The one check of what a WhatsApp customer id looks like: a phone number or a BSUID.

Used by the webhook parser (an id not shaped like one is not carried) and by
``helpdesk.whatsapp.identity`` (which re-exports it), so the two never disagree. A module of
its own because identity needs the parser's ``Inbound``.
"""

from __future__ import annotations

import re

__all__ = ["BSUID", "PHONE", "is_bsuid", "is_phone"]

# Two-letter country code, a dot, optionally ENT. (parent ids), up to 128 alphanumerics.
BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
PHONE = re.compile(r"\+?[0-9]{5,20}")


def is_bsuid(value: str | None) -> bool:
    return bool(value) and BSUID.fullmatch(str(value)) is not None


def is_phone(value: str | None) -> bool:
    return bool(value) and PHONE.fullmatch(str(value)) is not None
