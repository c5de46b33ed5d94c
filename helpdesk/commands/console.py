"""``helpdesk console [--port 8000]``: the agent console (web UI, JSON API, webhooks).

On a first start with no agent, nothing is created silently: the log shows the exact
``helpdesk agent add`` command to run. (A generated admin password written to a file
would be a standing secret on disk that nobody chose or rotates; the command takes ten
seconds and the operator picks the password.)
"""

from __future__ import annotations

import argparse

# The handlers import the database and the console inside (SQLAlchemy, argon2, FastAPI:
# ~0.6 s), as every command module does, so that `helpdesk --help` stays instant.

FIRST_AGENT = (
    "No agent can sign in yet. Create the first admin (the password is read from stdin):\n"
    "    printf '%s' 'a-long-password' | .venv/bin/helpdesk agent add admin "
    "--role admin --password-stdin\n"
    "then sign in at {url}/login"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("console", help="run the agent console (web UI and JSON API)")
    parser.add_argument("--port", type=int, default=None, help="port (default: 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.commands.serving import serve
    from helpdesk.console.agents import count_agents
    from helpdesk.console.app import create_app
    from helpdesk.settings import (
        CONSOLE_SECRETS,
        GENERATED_SECRETS,
        ensure_local_secrets,
        get_settings,
    )

    ensure_local_secrets(names=GENERATED_SECRETS + CONSOLE_SECRETS)
    settings = get_settings()
    port = args.port or settings.console_port
    url = f"http://localhost:{port}"
    db.upgrade()
    with db.session_scope() as session:
        agents = count_agents(session)
    print(f"Agent console: {url}/ (JSON API under {url}/api/)", flush=True)
    if agents == 0:
        print(FIRST_AGENT.format(url=url), flush=True)
    _check_ticketing(settings, url)
    return serve(create_app(), host=args.host, port=port)


def _check_ticketing(settings, url: str) -> None:  # type: ignore[no-untyped-def]
    """Say at start what an external ticketing setup is missing, not at the first case."""
    from helpdesk.tickets.backends import get_backend

    if settings.ticketing == "builtin":
        return
    get_backend(settings)  # raises ConfigurationError naming the missing settings
    secret = {
        "zendesk": settings.zendesk_webhook_secret,
        "freshdesk": settings.freshdesk_webhook_secret,
    }
    if not secret[settings.ticketing]:
        name = settings.ticketing.upper() + "_WEBHOOK_SECRET"
        print(
            f"Warning: {name} is not set, so replies written in {settings.ticketing} cannot "
            f"come back to WhatsApp (the webhook at {url}/webhooks/{settings.ticketing} "
            "refuses every request).",
            flush=True,
        )
    else:
        hook = f"{url}/webhooks/{settings.ticketing}"
        print(f"External ticketing: {settings.ticketing}; webhook at {hook}", flush=True)
