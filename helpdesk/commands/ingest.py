"""``helpdesk ingest [--host H] [--port P]``: the WhatsApp webhook on its own process.

It verifies, stores and acknowledges Meta's webhooks (``helpdesk.ingest``); the Rasa
replicas' inbox workers run the turns. The production topology starts it behind nginx.
"""

from __future__ import annotations

import argparse

from helpdesk.commands.serving import serve
from helpdesk.ingest import create_app
from helpdesk.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest", help="acknowledge WhatsApp webhooks on a process of their own"
    )
    parser.add_argument("--port", type=int, default=None, help="default: HELPDESK_INGEST_PORT")
    parser.add_argument("--host", default=None, help="default: HELPDESK_INTERNAL_HOST")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = get_settings()
    return serve(
        create_app(),
        host=args.host or settings.internal_host,
        port=args.port or settings.ingest_port,
        access_log=False,
    )
