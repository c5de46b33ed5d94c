"""Action-server calls per customer turn, for a trained model (issue 10: no round trip on
every turn only to detect the language).

A counting stand-in for the action server (port 7601 by default) answers every call with no
events, so only Rasa's own decisions are counted; the same scripted turns go through the
model in process. Run it for two models to compare:

    python bench/action_calls.py --model models/old.tar.gz --model models/new.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import warnings
from collections import Counter

from aiohttp import web

# Turns a customer types outside a capture flow (the forms call their validation action
# on every turn by design; those are counted too and shown by name).
TURNS = [
    "hola", "mi pago falló y me cobraron dos veces", "ok", "gracias", "adios",
    "hi", "thanks", "bye", "what can you do", "E21",
]  # fmt: skip


async def count(model: str, port: int) -> tuple[int, Counter]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    calls: Counter = Counter()

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        calls[body.get("next_action")] += 1
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        endpoints = AvailableEndpoints(action=EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        agent = await load_agent(model_path=model, endpoints=endpoints)
        for number, text in enumerate(TURNS):
            await agent.handle_text(text, sender_id=f"count-{number // 5}")
    finally:
        await runner.cleanup()
    return len(TURNS), calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", action="append", required=True)
    parser.add_argument("--port", type=int, default=7601)
    args = parser.parse_args()
    import structlog

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    warnings.filterwarnings("ignore")
    for model in args.model:
        turns, calls = asyncio.run(count(model, args.port))
        total = sum(calls.values())
        print(
            json.dumps(
                {
                    "model": model,
                    "turns": turns,
                    "action_server_calls": total,
                    "per_turn": round(total / turns, 2),
                    "by_action": dict(calls),
                }
            )
        )


if __name__ == "__main__":
    main()
