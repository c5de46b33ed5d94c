"""``python -m rasa_addons.serve run …``: ``rasa run`` whose HTTP API always needs a token.

The token comes from ``HELPDESK_RASA_TOKEN`` in the environment and is handed to Rasa as
``--auth-token`` inside this process, so it never appears on a command line (which every
local user can read in the process list). Without a token Rasa is not started: its API
would give anyone every conversation and let them act as the bot (without ``--enable-api``
there is no API and no token is needed). The TensorFlow models load without tracing their
training step (``rasa_addons.fast_load``).

A standby (``HELPDESK_STANDBY=1``, started so by ``helpdesk.supervisor``): the process
imports everything and loads the model as usual, then waits, without listening on its
port, for the line ``serve`` on its standard input; only then does Rasa bind the port and
start its channels (the WhatsApp inbox worker). That is how a restart after ``kill -9``
takes a second instead of the 20–60 s of a fresh start (mostly imports and the model load).
End of input (the supervisor is gone) ends the standby. If a newer model was trained while
it waited, it exits instead of serving the old one, and the supervisor starts Rasa afresh.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from typing import Any

from helpdesk.language import detect_language
from helpdesk.supervisor import STANDBY_ENV, TAKE_OVER

logger = logging.getLogger("rasa_addons.serve")  # also when run as __main__

EMPTY_TOKEN = (
    "HELPDESK_RASA_TOKEN is empty, and Rasa's HTTP API would then be open to anyone. Start "
    "Rasa through `helpdesk run` or `helpdesk exec`, which generate a local token into "
    "var/local-secrets.env, or set HELPDESK_RASA_TOKEN."
)


def _model_stamp(model_path: Any) -> tuple[str, float] | None:
    """Which model archive ``--model`` names now (the newest in a folder), and its mtime."""
    from rasa.exceptions import ModelNotFound
    from rasa.model import get_local_model

    try:
        path = get_local_model(str(model_path))
        return path, os.path.getmtime(path)
    except (ModelNotFound, OSError):
        return None


async def _next_line() -> bytes:
    """The next line of standard input, read on a daemon thread (b"" at its end): a
    blocked read must not keep the process alive, nor the event loop busy."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()

    def read() -> None:
        line = sys.stdin.buffer.readline()
        loop.call_soon_threadsafe(lambda: done.done() or done.set_result(line))

    threading.Thread(target=read, name="standby", daemon=True).start()
    return await done


async def _warm_up(agent: Any) -> None:
    """Pay a fresh process's one-time costs of a first turn while nobody waits for it: the
    NLU pipeline's first run and the language detector's model (lingua, loaded lazily)."""
    try:
        await agent.parse_message("hello, my payment failed")
        await asyncio.to_thread(detect_language, "hello, my payment failed")
    except Exception as error:  # a warm-up only: the real turn would meet the same error
        logger.warning("Standby: warming up failed: %s", error)


def install_standby() -> None:
    """Make Rasa's server wait, after its model is loaded, for the supervisor's word."""
    import rasa.core.run

    original = rasa.core.run.load_agent_on_start

    async def load_then_wait(model_path: Any, *args: Any, **kwargs: Any) -> Any:
        loaded = _model_stamp(model_path)  # the archive Rasa is about to load
        agent = await original(model_path, *args, **kwargs)
        await _warm_up(agent)
        logger.info("Standby: model loaded; waiting to take over the port (pid %d)", os.getpid())
        while True:
            line = await _next_line()
            if not line:
                logger.info("Standby: the supervisor is gone; exiting")
                os._exit(0)  # nothing was served; Sanic would otherwise go on to bind
            if line == TAKE_OVER:
                break
        if _model_stamp(model_path) != loaded:
            logger.warning("Standby: a newer model was trained meanwhile; exiting so that "
                           "Rasa starts afresh with it")  # fmt: skip
            os._exit(3)
        logger.info("Standby: taking over")
        return agent

    rasa.core.run.load_agent_on_start = load_then_wait


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
    # TensorFlow imports JAX only for TFLite's converter, and only if it can (ImportError is
    # expected there); a served model never converts, and JAX was ~1.5 s of the start-up.
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]
    from rasa.__main__ import main as rasa_main  # heavy: TensorFlow and friends

    from rasa_addons.action_results import install as install_action_results
    from rasa_addons.fast_load import install

    install()  # a restart no longer spends most of its model load tracing training steps
    install_action_results()  # each action call no longer re-checks Rasa's own schema
    if os.environ.get(STANDBY_ENV) == "1":
        install_standby()

    sys.argv = ["rasa", *argv, *(["--auth-token", token] if api else [])]
    rasa_main()


if __name__ == "__main__":
    main()
