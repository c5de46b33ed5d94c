"""What ``helpdesk run`` does once before starting the processes: migrate the database and,
in the development profile only, create a first admin when no agent exists.

It runs as ``python -m helpdesk.firstrun`` in a child process, so that the supervising
process never loads SQLAlchemy, Alembic and argon2 (about 100 MiB it would keep for the
whole run). It prints one JSON object on stdout: ``{"admin": {"username", "password"}}``
when it created the admin, else ``{}``. The launcher shows that password once on the
terminal and never writes it to a file or a log; the operator changes it with
``helpdesk agent password admin --password-stdin``.
"""

from __future__ import annotations

import json
import secrets
import sys

from helpdesk import db
from helpdesk.console.agents import add_agent, count_agents
from helpdesk.settings import Profile, get_settings

FIRST_ADMIN = "admin"


def prepare() -> dict[str, dict[str, str]]:
    settings = get_settings()
    db.upgrade()
    if settings.profile is not Profile.DEVELOPMENT:
        return {}
    with db.session_scope() as session:
        if count_agents(session):
            return {}
        password = secrets.token_urlsafe(12)
        add_agent(session, username=FIRST_ADMIN, password=password, role="admin")
    return {"admin": {"username": FIRST_ADMIN, "password": password}}


def main() -> int:
    print(json.dumps(prepare()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
