"""``helpdesk sandbox [--port 8001]``: a local WhatsApp that behaves like Meta.

Open http://localhost:8001/ for the phone-like web chat. The bot reaches the sandbox's Graph
API at ``WHATSAPP_GRAPH_URL`` and the sandbox delivers signed webhooks to
``HELPDESK_SANDBOX_WEBHOOK_URL``; both sides read the same local secrets.
"""

from __future__ import annotations

import argparse

from helpdesk.commands.serving import serve
from helpdesk.sandbox.app import create_app
from helpdesk.settings import ensure_local_secrets, get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="run the local WhatsApp sandbox (web chat, Graph API look-alike)"
    )
    parser.add_argument("--port", type=int, default=None, help="port (default: 8001)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    ensure_local_secrets()
    settings = get_settings()
    port = args.port or settings.sandbox_port
    print(f"WhatsApp sandbox: web chat at http://localhost:{port}/", flush=True)
    print(f"  delivering webhooks to {settings.sandbox_webhook_url}", flush=True)
    return serve(create_app(), host=args.host, port=port)
