"""``helpdesk purge [--dry-run]``: delete what is older than its retention window.

The same purge the running product does once a day (``helpdesk.retention``); the windows
are the ``HELPDESK_RETENTION_*_DAYS`` settings. ``--dry-run`` counts without deleting.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("purge", help="delete what is past its retention window")
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from helpdesk.retention import cutoffs, purge

    limits = cutoffs()
    report = purge(dry_run=args.dry_run, actor="cli")
    verb = "would delete" if args.dry_run else "deleted"
    for kind, count in report.counts.items():
        print(f"  {kind:<12} {count:>6} {verb} (older than {limits[kind]:%Y-%m-%d %H:%M} UTC)")
    print(f"{'Dry run: ' if args.dry_run else ''}{report.total} record(s) {verb}.")
    return 0
