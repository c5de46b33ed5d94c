"""``helpdesk production [--replicas N] [--check]``: the production topology in one terminal.

N Rasa replicas, N action servers, the ingest process (the WhatsApp webhook), the console
and nginx, on the PostgreSQL, Redis and S3 the settings name (``helpdesk.deploy.topology``),
under the same supervisor as ``helpdesk run`` (a process that dies is restarted with
backoff, Ctrl-C stops all). It refuses to start on SQLite, without Redis or with local
media, naming each setting. ``helpdesk run`` with ``HELPDESK_PROFILE=production`` starts
the same processes after the production profile's checks; this command skips those (a
benchmark or test of the topology on local secrets). Under systemd or Docker the same
processes run as units/containers (deploy/).
"""

from __future__ import annotations

import argparse

from helpdesk.commands.exec_ import product_environment
from helpdesk.commands.run import supervise, topology_plan
from helpdesk.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "production", help="run the production topology (replicas behind nginx)"
    )
    parser.add_argument("--replicas", type=int, default=None, help="default: HELPDESK_REPLICAS")
    parser.add_argument(
        "--check", action="store_true", help="only check the settings and print the processes"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    environment = product_environment()
    settings = get_settings()
    layout, processes, extra = topology_plan(settings, replicas=args.replicas)
    environment.update(extra)
    print(f"Production topology, {layout.replicas} replica(s), public entry {layout.public_url}:")
    for process in processes:
        print(f"  {process.name:<10} {process.url or '':<26} {process.description}")
    if args.check:
        return 0
    return supervise(processes, environment, settings, f", {layout.replicas} replica(s)")
