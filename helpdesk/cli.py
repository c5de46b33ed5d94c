"""The ``helpdesk`` command line.

Each sub-command lives in its own module under ``helpdesk.commands`` and exposes
``register(subparsers)``; modules import their heavy dependencies inside the handler so that
``helpdesk --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from helpdesk.errors import HelpdeskError

COMMAND_MODULES = (
    "helpdesk.commands.run",
    "helpdesk.commands.production",
    "helpdesk.commands.exec_",
    "helpdesk.commands.db",
    "helpdesk.commands.erase",
    "helpdesk.commands.sandbox",
    "helpdesk.commands.analyze",
    "helpdesk.commands.kb",
    "helpdesk.commands.triage",
    "helpdesk.commands.console",
    "helpdesk.commands.agent",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpdesk",
        description="Visual Helpdesk for WhatsApp: run, inspect and operate the product.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
