"""A Sanic server with the real WhatsApp channel and a scripted stand-in for Rasa's agent.

Used by channel tests before (and besides) a trained model: the channel's blueprint, inbox
and worker are the real ones; only ``on_new_message`` is a small script that answers through
the channel's own output channel and appends every ``UserMessage`` it receives (text,
sender, metadata) as a JSON line to ``$ECHO_LOG``. Scripted answers:

- ``slow N`` → waits N seconds, then answers "done slow" (restart tests);
- ``fail`` → raises every time (poison message);
- ``menu`` → three buttons; ``list`` → five; ``many`` → twelve; ``long`` → 9000 characters;
- a media turn → "got <kind> <mime> <size> bytes, caption: <caption>";
- anything else → "echo: <text>".

Run: ``python tests/support/echo_bot.py PORT`` with the settings in the environment
(``HELPDESK_DATABASE_URL``, ``WHATSAPP_*``); ``ECHO_LEASE``/``ECHO_BACKOFF``/``ECHO_ATTEMPTS``
tune the inbox worker.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from sanic import Sanic, response

from channels.whatsapp import WhatsAppInput
from helpdesk import db
from helpdesk.whatsapp.service import ChannelConfig

BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "Talk to a person please", "payload": "/request_human"},
]


def _seen_before(wamid: str | None) -> bool:
    log = os.environ.get("ECHO_LOG")
    if not log or not os.path.exists(log):
        return False
    with open(log, encoding="utf-8") as handle:
        return sum(1 for line in handle if wamid and wamid in line) > 1


async def script(message) -> None:  # type: ignore[no-untyped-def]
    log = os.environ.get("ECHO_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            record = {"text": message.text, "sender": message.sender_id, "meta": message.metadata}
            handle.write(json.dumps(record) + "\n")
    out = message.output_channel
    to = message.sender_id
    text = message.text or ""
    if text.startswith("slow"):
        # Only the first delivery is slow, so a restart test does not wait twice.
        if not _seen_before(message.metadata.get("wamid")):
            await asyncio.sleep(float(text.split()[1]))
        await out.send_text_message(to, "done slow")
    elif text == "fail":
        raise RuntimeError("scripted failure")
    elif text == "menu":
        await out.send_text_with_buttons(to, "Did that help?", BUTTONS)
    elif text == "list":
        buttons = [{"title": f"Option number {i}", "payload": f"/choose_{i}"} for i in range(5)]
        await out.send_text_with_buttons(to, "Pick one", buttons)
    elif text == "many":
        buttons = [{"title": f"Item {i}", "payload": f"/item_{i}"} for i in range(12)]
        await out.send_text_with_buttons(to, "Pick one", buttons)
    elif text == "long":
        await out.send_text_message(to, ("This is a sentence of the long answer. " * 230).strip())
    elif text == "/media_shared":
        media = message.metadata["media"][0]
        await out.send_text_message(
            to,
            f"got {media['kind']} {media['mime']} {media['size']} bytes, "
            f"caption: {message.metadata.get('caption')}",
        )
    else:
        await out.send_text_message(to, f"echo: {text}")


def main() -> None:
    port = int(sys.argv[1])
    db.upgrade()
    app = Sanic("echo_bot")
    channel = WhatsAppInput(
        ChannelConfig.from_settings(
            {
                "graph_backoff": float(os.environ.get("ECHO_GRAPH_BACKOFF", "0.5")),
                "graph_timeout": float(os.environ.get("ECHO_GRAPH_TIMEOUT", "15")),
            }
        ),
        lease=float(os.environ.get("ECHO_LEASE", "30")),
        backoff=float(os.environ.get("ECHO_BACKOFF", "1")),
        max_attempts=int(os.environ.get("ECHO_ATTEMPTS", "5")),
        poll_interval=0.2,
    )
    app.blueprint(channel.blueprint(script), url_prefix="/webhooks/whatsapp")

    @app.get("/")
    async def health(_request):  # type: ignore[no-untyped-def]
        return response.json({"ok": True})

    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
