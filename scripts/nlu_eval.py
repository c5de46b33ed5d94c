"""Evaluate the trained model on the held-back split (tests/nlu) and the development split
(tests/nlu_dev), per language: accuracy, per-class precision and recall, the most frequent
confusions and the expected calibration error.

Neither split is ever trained on. tests/nlu/ was written with the training data; tests/nlu_dev/
was written apart from it in other habits (longer, noisier, angrier, many out-of-scope
domains) and is the one the fallback threshold is calibrated on (--calibrate).

A prediction counts as right when it is the expected intent, or when an out-of-scope message
falls back (nlu_fallback): the bot then declines and offers the use cases, which is what an
out-of-scope message should get. The gate (--min, used by scripts/test.sh) applies to the
held-back split per language; --dev-gate also fails on the development targets.

Usage: python scripts/nlu_eval.py [--min 0.9] [--dev-gate] [--calibrate] [--model models]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "es")
SPLITS = {"heldout": ROOT / "tests" / "nlu", "dev": ROOT / "tests" / "nlu_dev"}
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
# Targets of issue 13 on the development split.
DEV_OVERALL, DEV_PER_INTENT, DEV_OUT_OF_SCOPE = 0.90, 0.80, 0.80
CALIBRATION_BINS = 10


@dataclass
class Prediction:
    text: str
    expected: str
    ranking: list[tuple[str, float]]  # the classifier's ranking, before the fallback

    def decided(self, threshold: float, ambiguity: float) -> str:
        """The intent the bot acts on with this fallback threshold and ambiguity margin."""
        top, confidence = self.ranking[0]
        second = self.ranking[1][1] if len(self.ranking) > 1 else 0.0
        if confidence < threshold or confidence - second < ambiguity:
            return FALLBACK
        return top


def right(expected: str, predicted: str) -> bool:
    return predicted == expected or (expected == OUT_OF_SCOPE and predicted == FALLBACK)


def split_file(split: str, language: str) -> Path:
    prefix = "heldout" if split == "heldout" else "dev"
    return SPLITS[split] / f"{prefix}_{language}.yml"


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


async def predict(agent: Any, examples: list[tuple[str, str]]) -> list[Prediction]:
    out = []
    for text, expected in examples:
        parsed = await agent.parse_message(text)
        ranking = [
            (item["name"], float(item["confidence"]))
            for item in parsed.get("intent_ranking") or [parsed["intent"]]
            if item["name"] != FALLBACK
        ]
        out.append(Prediction(text, expected, ranking or [(FALLBACK, 0.0)]))
    return out


def fallback_config() -> tuple[float, float]:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1)
            )
    return 0.0, 0.0


def expected_calibration_error(predictions: list[Prediction]) -> float:
    """Gap between the classifier's top confidence and how often it is right, averaged
    over equal-width confidence bins weighted by their size (0 = perfectly calibrated)."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(CALIBRATION_BINS)]
    for p in predictions:
        top, confidence = p.ranking[0]
        index = min(int(confidence * CALIBRATION_BINS), CALIBRATION_BINS - 1)
        bins[index].append((confidence, top == p.expected))
    total = len(predictions) or 1
    error = 0.0
    for items in bins:
        if items:
            mean_confidence = sum(c for c, _ in items) / len(items)
            accuracy = sum(ok for _, ok in items) / len(items)
            error += len(items) / total * abs(mean_confidence - accuracy)
    return error


@dataclass
class Report:
    accuracy: float
    classes: dict[str, dict[str, float]]
    confusions: list[tuple[str, str, int]]
    ece: float
    errors: list[dict[str, object]]
    out_of_scope_caught: float | None


def report(predictions: list[Prediction], threshold: float, ambiguity: float) -> Report:
    decided = [(p, p.decided(threshold, ambiguity)) for p in predictions]
    correct = sum(right(p.expected, d) for p, d in decided)
    classes = {}
    for intent in sorted({p.expected for p in predictions}):
        support = [d for p, d in decided if p.expected == intent]
        hits = sum(right(intent, d) for d in support)
        predicted_as = [p for p, d in decided if d == intent]
        precise = sum(p.expected == intent for p in predicted_as)
        classes[intent] = {
            "support": len(support),
            "recall": hits / len(support) if support else 0.0,
            "precision": precise / len(predicted_as) if predicted_as else 0.0,
        }
    confusions = Counter((p.expected, d) for p, d in decided if not right(p.expected, d))
    errors = [
        {"text": p.text, "expected": p.expected, "predicted": d, "ranking": p.ranking[:3]}
        for p, d in decided
        if not right(p.expected, d)
    ]
    oos = classes.get(OUT_OF_SCOPE)
    return Report(
        accuracy=correct / len(predictions) if predictions else 0.0,
        classes=classes,
        confusions=[(a, b, n) for (a, b), n in confusions.most_common(8)],
        ece=expected_calibration_error(predictions),
        errors=errors,
        out_of_scope_caught=oos["recall"] if oos else None,
    )


def print_report(title: str, r: Report) -> None:
    print(f"\n== {title}: accuracy {r.accuracy:.3f}, expected calibration error {r.ece:.3f}")
    print(f"   {'intent':<24} {'n':>4} {'precision':>9} {'recall':>7}")
    for intent, c in r.classes.items():
        print(f"   {intent:<24} {c['support']:>4} {c['precision']:>9.3f} {c['recall']:>7.3f}")
    if r.confusions:
        pairs = ", ".join(f"{a} → {b} ×{n}" for a, b, n in r.confusions)
        print(f"   top confusions: {pairs}")


def calibrate(predictions: list[Prediction]) -> tuple[float, float, float]:
    """The fallback threshold and ambiguity margin that maximise accuracy on these
    predictions; among equally good thresholds the middle of the best run is kept, so a
    small change in the model does not push it over an edge."""
    best: tuple[float, float, float] | None = None
    for ambiguity in (0.0, 0.02, 0.05, 0.1):
        scores = []
        for step in range(0, 96):
            threshold = step / 100
            ok = sum(right(p.expected, p.decided(threshold, ambiguity)) for p in predictions)
            scores.append((ok / len(predictions), threshold))
        top = max(s for s, _ in scores)
        run = [t for s, t in scores if s == top]
        threshold = run[len(run) // 2]
        if best is None or top > best[0]:
            best = (top, threshold, ambiguity)
    assert best is not None
    return best[1], best[2], best[0]


def quiet_rasa() -> None:
    """Only the report on stdout: Rasa logs every parsed message at debug level."""
    import logging

    import structlog

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    warnings.filterwarnings("ignore")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min", type=float, default=0.90, help="held-back gate per language")
    parser.add_argument("--dev-gate", action="store_true", help="fail on the dev targets too")
    parser.add_argument(
        "--calibrate", action="store_true", help="print the dev-calibrated fallback threshold"
    )
    parser.add_argument("--model", default=str(ROOT / "models"))
    parser.add_argument("--dump", help="write every prediction (text, expected, ranking) here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # custom components (rasa_addons) load from the project

    quiet_rasa()
    from rasa.core.agent import Agent
    from rasa.model import get_local_model

    agent = Agent.load(get_local_model(args.model))
    quiet_rasa()  # loading the model configures Rasa's logging again
    threshold, ambiguity = fallback_config()
    print(f"nlu-eval: fallback threshold {threshold}, ambiguity {ambiguity} (config.yml)")
    out = ROOT / "results" / "nlu-eval"
    out.mkdir(parents=True, exist_ok=True)

    failed = False
    all_predictions: dict[str, list[Prediction]] = {}
    summary: dict[str, object] = {}
    for split in SPLITS:
        all_predictions[split] = []
        for language in LANGUAGES:
            predictions = asyncio.run(predict(agent, load_examples(split_file(split, language))))
            all_predictions[split] += predictions
            r = report(predictions, threshold, ambiguity)
            print_report(f"{split} {language}", r)
            (out / f"{split}-{language}-errors.json").write_text(
                json.dumps(r.errors, ensure_ascii=False, indent=1)
            )
            summary[f"{split}-{language}"] = {"accuracy": r.accuracy, "ece": r.ece, **r.classes}
            if split == "heldout":
                verdict = "ok" if r.accuracy >= args.min else "BELOW THE GATE"
                print(f"nlu-eval: {language} held-back accuracy {r.accuracy:.3f} ({verdict})")
                failed |= r.accuracy < args.min

    dev = report(all_predictions["dev"], threshold, ambiguity)
    print_report("dev, both languages", dev)
    weakest = min(dev.classes.items(), key=lambda item: item[1]["recall"])
    misses = []
    if dev.accuracy < DEV_OVERALL:
        misses.append(f"overall {dev.accuracy:.3f} < {DEV_OVERALL}")
    if weakest[1]["recall"] < DEV_PER_INTENT:
        misses.append(f"{weakest[0]} recall {weakest[1]['recall']:.3f} < {DEV_PER_INTENT}")
    if (dev.out_of_scope_caught or 0.0) < DEV_OUT_OF_SCOPE:
        misses.append(f"out-of-scope caught {dev.out_of_scope_caught:.3f} < {DEV_OUT_OF_SCOPE}")
    print(
        f"nlu-eval: dev targets (overall ≥{DEV_OVERALL}, every intent ≥{DEV_PER_INTENT}, "
        f"out-of-scope ≥{DEV_OUT_OF_SCOPE}): " + ("met" if not misses else "; ".join(misses))
    )
    if args.dev_gate and misses:
        failed = True
    if args.calibrate:
        best_t, best_a, best_acc = calibrate(all_predictions["dev"])
        print(
            f"nlu-eval: calibrated on dev: threshold {best_t:.2f}, ambiguity {best_a:.2f} "
            f"→ dev accuracy {best_acc:.3f} (now {dev.accuracy:.3f})"
        )
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    if args.dump:
        dumped = {s: [vars(p) for p in ps] for s, ps in all_predictions.items()}
        Path(args.dump).write_text(json.dumps(dumped, ensure_ascii=False))
    if failed:
        print("nlu-eval: misclassified messages are in results/nlu-eval/*-errors.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
