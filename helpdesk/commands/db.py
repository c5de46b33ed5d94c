"""``helpdesk db upgrade|current``: create, migrate and inspect the product's database."""

from __future__ import annotations

import argparse

from helpdesk import db


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="create or migrate the database")
    parser.add_argument("action", choices=["upgrade", "current"])
    parser.add_argument("--url", help="database URL (default: HELPDESK_DATABASE_URL)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        db.upgrade(args.url)
    print(db.current_revision(args.url) or "(empty database)")
    return 0
