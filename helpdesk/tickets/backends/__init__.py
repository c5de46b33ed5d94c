"""External ticketing backends: where a handed-off case is mirrored besides the console.

``get_backend(settings)`` gives ``None`` for ``builtin`` (the console is the only place),
else a ``ZendeskBackend`` or ``FreshdeskBackend``. Both expose ``create(ticket, attachments)
-> External``, ``comment(external, text, attachments)`` and ``solve(external, note)``;
both raise ``TicketingError`` with the service's own message when it refuses, after
retrying what a retry can fix (HTTP 429 with ``Retry-After``, 5xx, connection errors).
"""

from __future__ import annotations

from typing import Any

from helpdesk.errors import ConfigurationError
from helpdesk.settings import get_settings
from helpdesk.tickets.backends.base import Attachment, External, TicketBackend, TicketData
from helpdesk.tickets.backends.freshdesk import FreshdeskBackend
from helpdesk.tickets.backends.zendesk import ZendeskBackend

__all__ = ["Attachment", "External", "TicketBackend", "TicketData", "get_backend"]


def get_backend(settings: Any = None, **options: Any) -> TicketBackend | None:
    s = settings or get_settings()
    if s.ticketing == "zendesk":
        url = s.zendesk_url or (
            f"https://{s.zendesk_subdomain}.zendesk.com" if s.zendesk_subdomain else None
        )
        if not (url and s.zendesk_email and s.zendesk_api_token):
            raise ConfigurationError(
                "HELPDESK_TICKETING=zendesk needs ZENDESK_SUBDOMAIN (or ZENDESK_URL), "
                "ZENDESK_EMAIL and ZENDESK_API_TOKEN"
            )
        return ZendeskBackend(url, email=s.zendesk_email, token=s.zendesk_api_token, **options)
    if s.ticketing == "freshdesk":
        url = s.freshdesk_url or (f"https://{s.freshdesk_domain}" if s.freshdesk_domain else None)
        if not (url and s.freshdesk_api_key):
            raise ConfigurationError(
                "HELPDESK_TICKETING=freshdesk needs FRESHDESK_DOMAIN (or FRESHDESK_URL) "
                "and FRESHDESK_API_KEY"
            )
        return FreshdeskBackend(url, api_key=s.freshdesk_api_key, **options)
    return None
