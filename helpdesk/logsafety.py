"""No secrets and no customer numbers in logs from the HTTP libraries.

httpx logs every request at INFO as ``HTTP Request: POST <url> "HTTP/1.1 200 OK"``; the URL
of the bot's resume call holds Rasa's token (``?token=``) and the customer's number (in the
path). ``install()`` puts a filter on the httpx and httpcore loggers that replaces secret
query values with ``[redacted]`` and masks long digit runs (phone numbers, user ids) the way
the product masks numbers elsewhere (``346…22``).
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMETER = re.compile(
    r"([?&](?:token|access_token|api_key|apikey|key|secret|signature|password)=)[^&\s\"']*",
    re.IGNORECASE,
)
LONG_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{3,}(\d{2})(?!\d)")
LOGGERS = ("httpx", "httpcore")


def redact(text: str) -> str:
    """``text`` with secret query values and long numbers masked."""
    text = SECRET_PARAMETER.sub(r"\1[redacted]", text)
    return LONG_NUMBER.sub(r"\1…\2", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def install() -> None:
    """Filter the HTTP libraries' loggers (idempotent)."""
    for name in LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
