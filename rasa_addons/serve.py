"""``python -m rasa_addons.serve run …``: ``rasa run`` whose HTTP API always needs a token.

The token comes from ``HELPDESK_RASA_TOKEN`` in the environment and is handed to Rasa as
``--auth-token`` inside this process, so it never appears on a command line (which every
local user can read in the process list). Without a token Rasa is not started: its API
would give anyone every conversation and let them act as the bot (without ``--enable-api``
there is no API and no token is needed). The TensorFlow models load without tracing their
training step (``rasa_addons.fast_load``).
"""

from __future__ import annotations

import os
import sys

EMPTY_TOKEN = (
    "HELPDESK_RASA_TOKEN is empty, and Rasa's HTTP API would then be open to anyone. Start "
    "Rasa through `helpdesk run` or `helpdesk exec`, which generate a local token into "
    "var/local-secrets.env, or set HELPDESK_RASA_TOKEN."
)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    token = os.environ.get("HELPDESK_RASA_TOKEN", "").strip()
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit("Give Rasa's token in HELPDESK_RASA_TOKEN, not on the command line.")
    # Without --enable-api Rasa serves its channels only (the topology's replicas): there
    # is no API for a token to protect.
    api = "--enable-api" in argv
    if api and not token:
        raise SystemExit(EMPTY_TOKEN)
    from rasa.__main__ import main as rasa_main  # heavy: TensorFlow and friends

    from rasa_addons.action_results import install as install_action_results
    from rasa_addons.fast_load import install

    install()  # a restart no longer spends most of its model load tracing training steps
    install_action_results()  # each action call no longer re-checks Rasa's own schema

    sys.argv = ["rasa", *argv, *(["--auth-token", token] if api else [])]
    rasa_main()


if __name__ == "__main__":
    main()
