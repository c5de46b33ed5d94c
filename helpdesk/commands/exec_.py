"""``helpdesk exec -- CMD…``: run a command with the product's settings in its environment.

Rasa expands ``${VAR}`` in credentials.yml and endpoints.yml from the environment only; this
command supplies those variables from the settings (environment, then .env, then defaults),
so ``helpdesk exec -- rasa shell`` works on a fresh clone. The local secrets (WhatsApp's,
Rasa's API token, the action server's token) are generated first in development.
"""

from __future__ import annotations

import argparse
import os

from helpdesk.settings import (
    GENERATED_SECRETS,
    PROJECT_ROOT,
    RASA_SECRETS,
    ensure_local_secrets,
    get_settings,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exec", help="run a command (e.g. rasa) with the product's settings exported"
    )
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="the command, after --")
    parser.set_defaults(func=_run)


def product_environment(
    secrets: tuple[str, ...] = GENERATED_SECRETS + RASA_SECRETS,
) -> dict[str, str]:
    """The environment every process of the product gets (``os.environ`` + the settings)."""
    ensure_local_secrets(names=secrets)
    environment = dict(os.environ)
    environment.update(get_settings().rasa_environment())
    environment.setdefault("OMP_THREAD_LIMIT", "1")
    # No network beyond the product's own: Rasa's telemetry and error reports stay off.
    environment.setdefault("RASA_TELEMETRY_ENABLED", "false")
    environment.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # Rasa imports channels/, actions/ and rasa_addons/ from the project root.
    paths = [str(PROJECT_ROOT), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


def _run(args: argparse.Namespace) -> int:
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise SystemExit("helpdesk exec: give a command after --, e.g. helpdesk exec -- rasa shell")
    environment = product_environment()
    os.execvpe(argv[0], argv, environment)
    return 0  # not reached
