"""rasa-sdk's plugin hook: the action server answers only calls that come from Rasa.

rasa-sdk's ``rasa_sdk.plugin`` imports a top-level package named ``rasa_sdk_plugins`` when
the action server starts and calls ``init_hooks(manager)``; every ``rasa run actions``
started from the project root finds this one (the same folder as ``actions/``, which it
must import anyway). The hook adds a request middleware that refuses, with 403, any call
without ``?token=HELPDESK_ACTION_TOKEN``, which is what Rasa sends when endpoints.yml sets
``action_endpoint.token`` (rasa.utils.endpoints.EndpointConfig adds it as a query
parameter). ``/health`` stays open for probes; it tells nothing. An unset token refuses
every call (fail closed) and says so in the log.

This is a shared token rather than a private interface because the action server's
interface alone does not tell who calls: on one host every local process reaches loopback,
and with replicas on a private network any container there could ask it to erase a customer.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import pluggy
from sanic.response import json

from helpdesk.perimeter import token_matches
from helpdesk.settings import get_settings

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN_PATHS = ("/health",)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


@hookimpl
def attach_sanic_app_extensions(app: Any) -> None:
    expected = get_settings().action_token
    if not expected:
        logger.error(
            "HELPDESK_ACTION_TOKEN is not set: the action server refuses every call. Start it "
            "through `helpdesk run` / `helpdesk exec`, or set the same token for Rasa and it."
        )

    async def require_rasa(request: Any) -> Any:
        if request.path in OPEN_PATHS:
            return None
        if token_matches(request.args.get("token"), expected):
            return None
        logger.warning("Refused a call to %s without the action server's token", request.path)
        return json({"error": "this action server answers only the Rasa server"}, status=403)

    app.register_middleware(require_rasa, "request")
