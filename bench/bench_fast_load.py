"""Does ``rasa_addons.fast_load`` change anything the bot says? And how much load time does
it save? Loads the trained model twice in fresh processes — Rasa's own load, then the
fast load — and replays the conversation tests (tests/conversations/*.yml) through each:
every customer text parsed (intent ranking, entities) and, at each bot step of a story,
the next action predicted (scores of every action, the policy that won) with the story's
own actions added to the tracker as ``rasa test`` does. Prints the load CPU seconds of
both, their ratio, and IDENTICAL or every difference (exit status 1 then).

    .venv/bin/python bench/bench_fast_load.py [--model models/xxx.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "tests" / "conversations"


def stories() -> list[tuple[str, list[tuple[str, str]]]]:
    import yaml

    found = []
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8")).get("stories") or []:
            steps = []
            for step in story.get("steps") or []:
                if "user" in step:
                    steps.append(("user", str(step["user"]).strip()))
                elif "action" in step:
                    steps.append(("action", str(step["action"])))
            found.append((f"{path.name}: {story.get('story')}", steps))
    return found


async def replay(model: str) -> dict:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import ActionExecuted

    started = time.process_time()
    agent = Agent.load(model)
    loaded = time.process_time() - started
    processor = agent.processor
    out: dict = {"load_cpu_seconds": round(loaded, 2), "turns": []}
    for index, (name, steps) in enumerate(stories()):
        sender = f"check-{index}"
        for kind, value in steps:
            if kind == "user":
                parsed = await agent.parse_message(value)
                out["turns"].append(
                    [name, value, parsed.get("intent_ranking"), parsed.get("entities")]
                )
                await processor.log_message(UserMessage(value, sender_id=sender))
                continue
            tracker = await processor.fetch_tracker_with_initial_session(sender)
            prediction = processor.predict_next_with_tracker(tracker)
            out["turns"].append([name, value, prediction and prediction.get("scores"),
                                 prediction and prediction.get("policy")])  # fmt: skip
            tracker.update(ActionExecuted(value))
            await processor.save_tracker(tracker)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="default: the newest in models/")
    parser.add_argument("--fast", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = args.model or str(max((ROOT / "models").glob("*.tar.gz"), key=os.path.getmtime))
    if args.child:
        if args.fast:
            from rasa_addons.fast_load import install

            install()
        print(json.dumps(asyncio.run(replay(model))))
        return 0
    results = {}
    for mode in ("rasa", "fast"):
        argv = [sys.executable, __file__, "--child", "--model", model]
        done = subprocess.run(
            argv + (["--fast"] if mode == "fast" else []),
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
        if done.returncode != 0:
            print(done.stderr[-3000:])
            return 2
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    rasa, fast = results["rasa"], results["fast"]
    ted = sum(1 for turn in rasa["turns"] if turn[3] and "TEDPolicy" in str(turn[3]))
    print(f"{len(rasa['turns'])} parses and predictions, {ted} of them won by TED")
    ratio = fast["load_cpu_seconds"] / rasa["load_cpu_seconds"]
    print(f"model load CPU: Rasa's load {rasa['load_cpu_seconds']} s, fast load "
          f"{fast['load_cpu_seconds']} s: ×{ratio:.2f}")  # fmt: skip
    different = [(a, b) for a, b in zip(rasa["turns"], fast["turns"], strict=True) if a != b]
    for a, b in different:
        print(f"DIFFERENT in {a[0]} at {a[1]!r}:\n  rasa {a[2:]}\n  fast {b[2:]}")
    print("IDENTICAL" if not different else f"{len(different)} DIFFERENT")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "load_cpu_seconds": {"rasa": rasa["load_cpu_seconds"], "fast": fast["load_cpu_seconds"]},
        "fast_over_rasa": round(ratio, 2),
        "compared": len(rasa["turns"]),
        "won_by_ted": ted,
        "different": len(different),
    }
    (out / "fast_load.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
