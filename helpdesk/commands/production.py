"""``helpdesk production [--replicas N]``: the production topology in one terminal.

N Rasa replicas, N action servers, the console and nginx, on the PostgreSQL, Redis and S3
the settings name (``helpdesk.deploy.topology``). It refuses to start on SQLite, without
Redis or with local media, naming each setting. Under systemd or Docker the same processes
run as units/containers (deploy/); this command is for one machine.
"""

from __future__ import annotations

import argparse
import sys


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
    from honcho.manager import Manager
    from honcho.printer import Printer

    from helpdesk import db
    from helpdesk.commands.exec_ import product_environment
    from helpdesk.deploy.topology import Topology
    from helpdesk.settings import PROJECT_ROOT, get_settings

    environment = product_environment()
    layout = Topology.from_settings(get_settings(), replicas=args.replicas)
    layout.check()
    folder = PROJECT_ROOT / "var" / "production"
    layout.write_config(folder)
    environment.update(layout.environment())
    processes = layout.processes(folder)
    print(f"Production topology, {layout.replicas} replica(s), public entry {layout.public_url}:")
    for process in processes:
        print(f"  {process.name:<10} {process.url or '':<26} {process.description}")
    if args.check:
        return 0
    db.upgrade()
    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty(), prefix=True))
    for process in processes:
        manager.add_process(
            process.name,
            process.command,
            env={**environment, **process.env},
            cwd=str(PROJECT_ROOT),
        )
    manager.loop()
    return manager.returncode or 0
