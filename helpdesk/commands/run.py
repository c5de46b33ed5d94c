"""``helpdesk run``: start the whole product in one terminal with one log view.

Ctrl-C stops every process. ``make run`` calls this after setup and training.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start every process of the product")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="start only these processes"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from honcho.manager import Manager
    from honcho.printer import Printer

    from helpdesk import db
    from helpdesk.commands.exec_ import product_environment
    from helpdesk.launcher import product_processes
    from helpdesk.settings import PROJECT_ROOT, get_settings

    environment = product_environment()
    settings = get_settings()
    db.upgrade()
    processes = [
        process
        for process in product_processes(settings)
        if not args.only or process.name in args.only
    ]
    print("Visual Helpdesk is starting:")
    for process in processes:
        print(f"  {process.name:<8} {process.url or '':<26} {process.description}")
    print("Press Ctrl-C to stop everything.\n", flush=True)

    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty(), prefix=True))
    for process in processes:
        manager.add_process(process.name, process.command, env=environment, cwd=str(PROJECT_ROOT))
    manager.loop()
    return manager.returncode or 0
