"""Billable WhatsApp messages per case, before and after merging a turn's replies.

Replays scripted conversations — the bot's real responses from domain.yml (English), in
the order the actions utter them (actions/support.py: explanation, fix picture, fix text,
"did it work?"; the capture flows: the request with its example picture, the next step,
the confirmation, the summary, the handoff) — through the real WhatsApp output channel and
``Sender`` into the sandbox, which validates every body as Meta does. Counted: the messages
the sandbox accepted per conversation, once as today (every reply its own message, the
baseline) and once merged (``WHATSAPP_MERGE_MESSAGES=true``), in the same run.

Goal: at least 30% fewer messages per case. Writes var/bench/messages_per_case.json.

    .venv/bin/python bench/bench_messages_per_case.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import yaml  # noqa: E402

from channels.whatsapp import WhatsAppOutput  # noqa: E402
from helpdesk.db import session_scope, upgrade  # noqa: E402
from helpdesk.whatsapp import service  # noqa: E402
from helpdesk.whatsapp.graph import GraphClient  # noqa: E402
from helpdesk.whatsapp.outbound import Sender  # noqa: E402
from helpdesk.whatsapp.webhook import parse  # noqa: E402
from tests.support.sandbox import running_sandbox  # noqa: E402

TOKEN, PHONE = "bench-token", "100000000000001"
GOAL = 0.30

FIX = {
    "explanation": "A router that lost its connection usually needs a restart.",
    "fix_text": "Unplug the router for 30 seconds, then plug it back in and wait 2 minutes.",
    "fix_image": "assets/examples/appliance.png",
    "question": "Is the internet back?",
}
FIX2 = {
    "explanation": "If a restart did not help, the cable may be loose.",
    "fix_text": "Press the grey cable into the port marked WAN until it clicks.",
    "fix_image": "assets/examples/product_label.png",
    "question": "Is it working now?",
}
SUMMARY = {"summary": "• photo of the damage\n• serial number SN-4821-77"}
NOTICE = {"notice": "A colleague will take over; you are number 2 in the queue."}


def fix_turn(fix: dict[str, str]) -> list[Any]:
    return [
        {"text": fix["explanation"]},
        {"image": fix["fix_image"]},
        {"text": fix["fix_text"]},
        ("utter_did_it_work", {"question": fix["question"]}),
    ]


# Each conversation: the customer's turns, each a list of what the bot utters in it.
CONVERSATIONS: dict[str, list[list[Any]]] = {
    "fix loop, second fix works, rating": [
        fix_turn(FIX),
        [("utter_try_another_fix", {}), *fix_turn(FIX2)],
        [("utter_glad_it_worked", {}), ("utter_ask_satisfaction", {})],
        [("utter_thanks_for_rating", {})],
    ],
    "damaged product capture and handoff": [
        [("utter_ask_damage_photo", {})],
        [("utter_media_accepted", {}), ("utter_ask_product_label_photo", {})],
        [("utter_media_accepted", {}), ("utter_confirm_order_number", {"value": "SN-4821-77"})],
        [("utter_capture_summary", SUMMARY), ("utter_handoff_done", NOTICE)],
    ],
    "payment capture and handoff": [
        [("utter_ask_payment_evidence", {})],
        [("utter_confirm_transaction_id", {"value": "TX-99812"})],
        [("utter_capture_summary", SUMMARY), ("utter_handoff_done", NOTICE)],
    ],
    "fix loop, nothing works, handoff": [
        fix_turn(FIX),
        [("utter_try_another_fix", {}), *fix_turn(FIX2)],
        [("utter_handoff_done", NOTICE)],
    ],
}  # fmt: skip


def render(responses: dict[str, Any], item: Any) -> dict[str, Any]:
    """A Rasa bot message: a literal dict, or a domain response (English) filled in."""
    if isinstance(item, dict):
        return dict(item)
    name, values = item
    variants = responses[name]
    chosen = next((v for v in variants if not v.get("condition")), variants[-1])
    message = {k: v for k, v in chosen.items() if k != "condition"}
    if "text" in message:
        message["text"] = message["text"].format(**values) if values else message["text"]
    return message


def _with_paths(message: dict[str, Any]) -> dict[str, Any]:
    if message.get("image") and not str(message["image"]).startswith("http"):
        message["image"] = str(ROOT / message["image"])
    return message


async def run(url: str, database_url: str, merge: bool, responses: dict) -> dict[str, int]:
    client = GraphClient(base_url=url, access_token=TOKEN, phone_number_id=PHONE)
    sender = Sender(client, url=database_url)
    counts = {}
    try:
        for index, (name, turns) in enumerate(CONVERSATIONS.items()):
            customer = f"US.{(1000 + index) * (7 if merge else 11)}"
            for turn in turns:
                answer = httpx.post(
                    f"{url}/sandbox/customers/{customer}/messages",
                    json={"text": "…", "username": "@bench"},
                )
                answer.raise_for_status()
                output = WhatsAppOutput(sender, batch=merge)
                for item in turn:
                    await output.send_response(customer, _with_paths(render(responses, item)))
                await output.flush()
            items = httpx.get(f"{url}/sandbox/customers/{customer}/messages").json()["messages"]
            counts[name] = sum(1 for m in items if m["direction"] == "outbound")
    finally:
        await client.aclose()
    return counts


def main() -> int:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench.db"
        upgrade(database_url)

        def store(body: dict) -> None:
            with session_scope(database_url) as session:
                service.store_events(session, events=parse(body, phone_number_id=PHONE))

        sandbox = running_sandbox(
            access_token=TOKEN, app_secret="s", phone_number_id=PHONE, on_webhook=store
        )
        with sandbox as (url, _received):
            before = asyncio.run(run(url, database_url, False, responses))
            after = asyncio.run(run(url, database_url, True, responses))
    cases = len(CONVERSATIONS)
    per_case_before = sum(before.values()) / cases
    per_case_after = sum(after.values()) / cases
    saved = 1 - per_case_after / per_case_before
    print(f"{'conversation':42} {'before':>7} {'after':>7}")
    for name in CONVERSATIONS:
        print(f"{name:42} {before[name]:7d} {after[name]:7d}")
    print(f"{'messages per case':42} {per_case_before:7.2f} {per_case_after:7.2f}")
    print(
        f"merged/baseline ratio {per_case_after / per_case_before:.2f} "
        f"({saved:.0%} fewer; goal ≥ {GOAL:.0%}: {'met' if saved >= GOAL else 'MISSED'})"
    )
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "messages_per_case.json").write_text(json.dumps({
        "before": before, "after": after, "per_case_before": per_case_before,
        "per_case_after": per_case_after, "ratio": per_case_after / per_case_before,
        "goal_met": saved >= GOAL}, indent=2))  # fmt: skip
    return 0 if saved >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
