"""``helpdesk run``: start the whole product in one terminal, supervised.

One supervising process (``helpdesk.supervisor``) starts every process of the profile
(``helpdesk.launcher``), restarts one that dies, and stops them all on Ctrl-C. The terminal
shows the product's lines, Rasa's start-up, real warnings and errors, and the URLs once
everything answers; the complete output, third-party warnings included, is in
var/log/run.log. ``make run`` calls this after setup and training.

In the production profile it runs the production topology (``helpdesk.deploy.topology``:
``HELPDESK_REPLICAS`` Rasa replicas and action servers, the ingest process, the console and
nginx, on PostgreSQL, Redis and S3) — the same processes as ``helpdesk production`` — after
refusing to start on unsafe settings (``helpdesk.perimeter``) or on engines that several
replicas cannot share, naming each one. In the development profile, when no agent exists,
it creates an ``admin`` with a random password and shows it once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from typing import TextIO

from helpdesk.commands.exec_ import product_environment
from helpdesk.deploy.topology import Topology
from helpdesk.errors import StorageError
from helpdesk.launcher import Process, product_processes
from helpdesk.logview import TerminalView
from helpdesk.perimeter import check_profile
from helpdesk.settings import PRODUCTION_SECRETS, PROJECT_ROOT, Profile, Settings, get_settings
from helpdesk.supervisor import Supervisor

# nginx.conf, its pid, logs and temporary files for the topology on this machine.
TOPOLOGY_FOLDER = PROJECT_ROOT / "var" / "production"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start every process of the product")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="start only these processes"
    )
    parser.add_argument(
        "--profile",
        choices=[profile.value for profile in Profile],
        help="development or production (default: HELPDESK_PROFILE, else development)",
    )
    parser.set_defaults(func=_run)


def _prepare(environment: dict[str, str], log: TextIO, log_name: str) -> dict:
    """Migrate the database (and create the first admin) in a child process."""
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.firstrun"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    view = TerminalView()
    for line in done.stderr.splitlines():
        log.write(f"prepare | {line}\n")
        if done.returncode and view("prepare", line):
            print(line, file=sys.stderr)
    log.flush()
    if done.returncode:
        raise StorageError(
            "preparing the database failed (the lines above say why)",
            hint=f"Fix the cause, or see the full output in {log_name}.",
        )
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def _ready_message(
    processes: list[Process], profile: Profile, admin: dict | None, log_name: str
) -> str:
    width = max(len(process.name) for process in processes)
    lines = [f"Visual Helpdesk is ready ({profile.value} profile):"]
    for process in processes:
        lines.append(f"  {process.name:<{width}}  {process.url or '':<24} {process.description}")
        if process.name == "console" and admin:
            lines.append(
                f"  {'':<{width}}  sign in as {admin['username']!r} with password "
                f"{admin['password']!r} (shown only now; change it with "
                f"`helpdesk agent password {admin['username']} --password-stdin`)"
            )
    lines.append(f"Full log, third-party warnings included: {log_name}. Ctrl-C stops everything.")
    return "\n".join(lines)


def topology_plan(
    settings: Settings, *, replicas: int | None = None
) -> tuple[Topology, list[Process], dict[str, str]]:
    """The production topology's processes and the variables they share; refuses (naming
    each setting) SQLite, no Redis, local media or no nginx."""
    layout = Topology.from_settings(settings, replicas=replicas)
    layout.check()
    layout.write_config(TOPOLOGY_FOLDER)
    return layout, layout.processes(TOPOLOGY_FOLDER), layout.environment()


def plan(settings: Settings) -> tuple[list[Process], dict[str, str]]:
    """What ``helpdesk run`` starts for the settings' profile, with the extra variables."""
    if settings.profile is Profile.PRODUCTION:
        _, processes, extra = topology_plan(settings)
        return processes, extra
    return product_processes(settings), {}


def supervise(
    processes: list[Process], environment: dict[str, str], settings: Settings, note: str = ""
) -> int:
    """Prepare the database, then run ``processes`` under the supervisor until Ctrl-C."""
    log_path = settings.run_log_path
    log_name = settings.run_log
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        print(
            f"Visual Helpdesk ({settings.profile.value}{note}) is starting "
            f"{', '.join(p.name for p in processes)}; Rasa takes about a minute to load its "
            f"model. Full log: {log_name}",
            flush=True,
        )
        first = _prepare(environment, log, log_name)
        supervisor = Supervisor(
            processes, env=environment, cwd=PROJECT_ROOT, log=log, visible=TerminalView()
        )

        def ready() -> None:
            admin = first.get("admin")
            print(_ready_message(processes, settings.profile, admin, log_name), flush=True)

        return asyncio.run(supervisor.run(on_ready=ready))


def _run(args: argparse.Namespace) -> int:
    if args.profile:
        os.environ["HELPDESK_PROFILE"] = args.profile
        get_settings.cache_clear()
    check_profile(get_settings())
    environment = product_environment(PRODUCTION_SECRETS)
    settings = get_settings()
    planned, extra = plan(settings)
    environment.update(extra)
    processes = [process for process in planned if not args.only or process.name in args.only]
    note = f", {settings.replicas} replica(s) behind nginx" if extra else ""
    return supervise(processes, environment, settings, note)
