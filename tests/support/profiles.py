"""Settings of a production profile that passes every check (the operator chose each
secret), for the tests of the profile's refusals and of ``helpdesk run``."""

from __future__ import annotations

from helpdesk.settings import PRODUCTION_SECRETS

SAFE_PRODUCTION = {
    "HELPDESK_PROFILE": "production",
    **{name: f"{name.lower()}-chosen-by-the-operator-0123456789" for name in PRODUCTION_SECRETS},
    "WHATSAPP_GRAPH_URL": "https://graph.facebook.com",
    "HELPDESK_SECURE_COOKIES": "true",
    "HELPDESK_MEDIA_KEY": "key1:" + "A" * 43 + "=",
    "HELPDESK_SANDBOX_ENABLED": "false",
}
