"""``helpdesk agent add NAME --role agent|admin --password-stdin``: create a console agent.

The password is read from standard input (never a command-line argument, which other
users could see in the process list): ``printf '%s' "$PASSWORD" | helpdesk agent add …``.
"""

from __future__ import annotations

import argparse
import sys


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


def _add(args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.agents import add_agent

    password = sys.stdin.readline().rstrip("\r\n")
    db.upgrade()
    with db.session_scope() as session:
        agent = add_agent(session, username=args.name, password=password, role=args.role)
        print(f"Agent {agent.username!r} ({agent.role}) created; sign in at the console.")
    return 0


def _list(_args: argparse.Namespace) -> int:
    from helpdesk import db
    from helpdesk.agents import list_agents

    with db.session_scope() as session:
        for agent in list_agents(session):
            print(f"{agent.username}\t{agent.role}\t{'active' if agent.active else 'disabled'}")
    return 0
