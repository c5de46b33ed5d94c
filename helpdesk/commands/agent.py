"""``helpdesk agent add NAME --role agent|admin --password-stdin``: create a console agent;
``list``, ``password NAME``, ``role NAME agent|admin``, ``disable NAME``, ``enable NAME``
(every change goes into the audit trail, by ``cli``).

The password is read from standard input (never a command-line argument, which other
users could see in the process list): ``printf '%s' "$PASSWORD" | helpdesk agent add …``.
"""

from __future__ import annotations

import argparse
import sys

# The handlers import the database and the console inside (SQLAlchemy, argon2, FastAPI:
# ~0.6 s), as every command module does, so that `helpdesk --help` stays instant.


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("agent", help="manage agents of the console")
    actions = parser.add_subparsers(dest="agent_command", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="create an agent")
    add.add_argument("name", help="the username to sign in with")
    add.add_argument("--role", choices=("agent", "admin"), default="agent")
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="list agents")
    listing.set_defaults(func=_list)
    password = actions.add_parser("password", help="set an agent's password (from stdin)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", required=True)
    password.set_defaults(func=_password)
    role = actions.add_parser("role", help="make an agent an admin, or an agent again")
    role.add_argument("name")
    role.add_argument("role", choices=("agent", "admin"))
    role.set_defaults(func=_set_role)
    for action, help_text in (("disable", "stop an agent signing in"), ("enable", "allow again")):
        sub = actions.add_parser(action, help=help_text)
        sub.add_argument("name")
        sub.set_defaults(func=_set_active, active=action == "enable")


def _add(args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.console.agents import add_agent

    password = sys.stdin.readline().rstrip("\r\n")
    db.upgrade()
    with db.session_scope() as session:
        agent = add_agent(session, username=args.name, password=password, role=args.role)
        print(f"Agent {agent.username!r} ({agent.role}) created; sign in at the console.")
    return 0


def _list(_args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.console.agents import list_agents

    with db.session_scope() as session:
        for agent in list_agents(session):
            print(f"{agent.username}\t{agent.role}\t{'active' if agent.active else 'disabled'}")
    return 0


def _password(args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.console.agents import set_password

    password = sys.stdin.readline().rstrip("\r\n")
    with db.session_scope() as session:
        set_password(session, username=args.name, password=password)
    print(f"Password of {args.name!r} changed; their API tokens were revoked.")
    return 0


def _set_active(args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.console.agents import set_active

    with db.session_scope() as session:
        set_active(session, username=args.name, active=args.active)
    print(f"Agent {args.name!r} {'enabled' if args.active else 'disabled'}.")
    return 0


def _set_role(args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.console.agents import set_role

    with db.session_scope() as session:
        set_role(session, username=args.name, role=args.role)
    print(f"Agent {args.name!r} is now {args.role}.")
    return 0
