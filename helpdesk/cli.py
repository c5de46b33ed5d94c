"""The ``helpdesk`` command line.

Each sub-command lives in its own module under ``helpdesk.commands`` and exposes
``register(subparsers)``. Command modules import what they use at the top; this is the one
place that imports lazily: only the module of the command being run is imported (the others
get a one-line entry for the listing), so ``helpdesk --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from helpdesk.errors import HelpdeskError

# name: (module, the line `helpdesk --help` shows for it)
COMMANDS = {
    "run": ("helpdesk.commands.run", "start every process of the product"),
    "production": (
        "helpdesk.commands.production",
        "the production topology: replicas on PostgreSQL, Redis and S3 behind nginx",
    ),
    "ingest": (
        "helpdesk.commands.ingest",
        "acknowledge WhatsApp webhooks on a process of their own",
    ),
    "worker": (
        "helpdesk.commands.worker",
        "run the WhatsApp inbox worker on a process of its own",
    ),
    "exec": (
        "helpdesk.commands.exec_",
        "run a command (e.g. rasa) with the product's settings exported",
    ),
    "db": ("helpdesk.commands.db", "create or migrate the database"),
    "erase": ("helpdesk.commands.erase", "delete everything held about one customer"),
    "purge": ("helpdesk.commands.purge", "delete what is past its retention window"),
    "sandbox": (
        "helpdesk.commands.sandbox",
        "run the local WhatsApp sandbox (web chat, Graph API look-alike)",
    ),
    "analyze": (
        "helpdesk.commands.analyze",
        "check photos, screenshots, receipts, PDFs and videos as the bot would",
    ),
    "kb": (
        "helpdesk.commands.kb",
        "check the knowledge base (known issues and fixes in knowledge/*.yml)",
    ),
    "triage": (
        "helpdesk.commands.triage",
        "classify a case and show the matching knowledge entries with reasons",
    ),
    "console": ("helpdesk.commands.console", "run the agent console (web UI and JSON API)"),
    "agent": ("helpdesk.commands.agent", "manage agents of the console"),
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for ``argv``: the full sub-parser of the command it names, one-line
    entries for the others."""
    parser = argparse.ArgumentParser(
        prog="helpdesk",
        description="Visual Helpdesk for WhatsApp: run, inspect and operate the product.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    chosen = next((word for word in argv if not word.startswith("-")), None)
    for name, (module_name, summary) in COMMANDS.items():
        if name == chosen:
            importlib.import_module(module_name).register(subparsers)
        else:
            subparsers.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except HelpdeskError as error:
        print(f"helpdesk: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
