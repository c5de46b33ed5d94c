"""``helpdesk erase SENDER_ID``: delete everything held about one customer, on request.

The same erasure the customer can ask the bot for ("delete my data"), for an operator
handling a request that came by email or phone: the product's records and stored media,
and the Rasa conversation. An anonymous record that an erasure happened is kept.
"""

from __future__ import annotations

import argparse

from helpdesk.erasure import erase_customer, erase_tracker


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("erase", help="delete everything held about one customer")
    parser.add_argument("sender_id", help="the customer's WhatsApp id (wa_id or user_id)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if not args.yes:
        answer = input(
            f"Delete everything held about {args.sender_id}? This cannot be undone [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was deleted.")
            return 1
    report = erase_customer(sender_id=args.sender_id, actor="cli")
    events = sum(erase_tracker(sender_id=key) for key in report.keys or [args.sender_id])
    for spec, count in sorted(report.deleted.items()):
        print(f"  {spec.split(':')[0]:<28} {count} record(s)")
    print(f"  {'conversation (tracker)':<28} {events} event(s)")
    print(f"Erased. Reference for the request: {report.subject_hash[:16]}")
    return 0
