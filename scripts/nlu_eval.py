"""Evaluate the trained model on the held-back NLU split, per language.

Fails when intent accuracy is below the gate in any language. The held-back files in
tests/nlu/ are never used for training. Usage: python scripts/nlu_eval.py [--min 0.9]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "es")


def evaluate(language: str) -> float:
    out = ROOT / "results" / f"nlu-heldout-{language}"
    subprocess.run(
        [
            str(ROOT / ".venv/bin/helpdesk"),
            "exec",
            "--",
            str(ROOT / ".venv/bin/rasa"),
            "test",
            "nlu",
            "--model",
            str(ROOT / "models"),
            "--nlu",
            str(ROOT / "tests" / "nlu" / f"heldout_{language}.yml"),
            "--out",
            str(out),
            "--no-plot",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return float(report["accuracy"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min", type=float, default=0.90, help="minimum accuracy per language")
    args = parser.parse_args()
    failed = False
    for language in LANGUAGES:
        accuracy = evaluate(language)
        verdict = "ok" if accuracy >= args.min else "BELOW THE GATE"
        print(f"nlu-eval: {language} held-back intent accuracy {accuracy:.3f} ({verdict})")
        failed |= accuracy < args.min
    if failed:
        print("nlu-eval: errors are listed in results/nlu-heldout-*/intent_errors.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
