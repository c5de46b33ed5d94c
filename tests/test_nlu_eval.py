"""scripts/nlu_eval.py's figures: a fallback on an out-of-scope message counts as caught,
the expected calibration error measures over-confidence, and the calibrated threshold is the
one that makes the most predictions right."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "nlu_eval.py"


@pytest.fixture(scope="module")
def nlu_eval():
    spec = importlib.util.spec_from_file_location("nlu_eval", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["nlu_eval"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_out_of_scope_that_falls_back_is_caught_but_a_use_case_is_missed(nlu_eval) -> None:
    pred = nlu_eval.Prediction
    predictions = [
        pred("set an alarm", "out_of_scope", [("rate", 0.3), ("out_of_scope", 0.2)]),
        pred("refund 20 euros", "request_return", [("request_return", 0.3), ("rate", 0.2)]),
    ]
    result = nlu_eval.report(predictions, threshold=0.5, ambiguity=0.0)
    assert result.classes["out_of_scope"]["recall"] == 1.0
    assert result.classes["request_return"]["recall"] == 0.0
    assert result.accuracy == 0.5
    assert result.confusions == [("request_return", "nlu_fallback", 1)]


def test_calibration_error_is_the_gap_between_confidence_and_accuracy(nlu_eval) -> None:
    pred = nlu_eval.Prediction
    sure_and_wrong = [pred("x", "greet", [("goodbye", 0.99)]) for _ in range(4)]
    assert nlu_eval.expected_calibration_error(sure_and_wrong) == pytest.approx(0.99)
    honest = [pred("x", "greet", [("greet", 0.55)]), pred("y", "greet", [("thank", 0.55)])]
    assert nlu_eval.expected_calibration_error(honest) == pytest.approx(0.05)


def test_calibrated_threshold_falls_back_on_the_unsure_out_of_scope(nlu_eval) -> None:
    pred = nlu_eval.Prediction
    predictions = [
        pred("a", "request_return", [("request_return", 0.9), ("rate", 0.1)]),
        pred("b", "report_payment_problem", [("report_payment_problem", 0.7), ("rate", 0.3)]),
        pred("c", "out_of_scope", [("rate", 0.4), ("out_of_scope", 0.3)]),
    ]
    threshold, _, accuracy = nlu_eval.calibrate(predictions)
    assert 0.4 < threshold <= 0.7
    assert accuracy == 1.0
