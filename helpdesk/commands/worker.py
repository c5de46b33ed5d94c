"""``helpdesk worker [--host H] [--port P] [--rasa URL ...]``: the WhatsApp inbox worker on
a process of its own.

It claims the stored messages, downloads media, sends each message's dialogue turn to a
Rasa replica (``channels.whatsapp_turns``) and the bot's replies to the customer
(``helpdesk.worker``). The production topology starts it with ``HELPDESK_INBOX_WORKER=process``
for every process; its only route is ``GET /health``.
"""

from __future__ import annotations

import argparse

from helpdesk.commands.serving import serve
from helpdesk.settings import get_settings
from helpdesk.worker import create_app


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker", help="run the WhatsApp inbox worker on a process of its own"
    )
    parser.add_argument("--port", type=int, default=None, help="default: HELPDESK_WORKER_PORT")
    parser.add_argument("--host", default=None, help="default: HELPDESK_INTERNAL_HOST")
    parser.add_argument(
        "--rasa",
        action="append",
        default=None,
        metavar="URL",
        help="a Rasa replica (repeat for each); default: the topology's, from the settings",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = get_settings()
    return serve(
        create_app(rasa_urls=args.rasa),
        host=args.host or settings.internal_host,
        port=args.port or settings.worker_port,
        access_log=False,
    )
