"""Analysis in child processes: a dying, hanging or memory-hungry decoder costs one file,
not the server, and a file past its budget gets an answer the customer can act on."""

from __future__ import annotations

import ctypes

import pytest

from helpdesk.media import analyze, isolation


def test_the_worker_gives_the_same_answer(scene_jpeg: bytes) -> None:
    here = analyze(scene_jpeg, purpose="photo").to_dict()
    there = isolation.analyze_isolated(scene_jpeg, purpose="photo").to_dict()
    for key in ("kind", "mime", "accepted", "problems", "ocr", "fields", "barcodes"):
        assert there[key] == here[key]
    assert there["metrics"]["blur_px"] == here["metrics"]["blur_px"]


def test_a_native_crash_costs_one_call_and_the_next_file_is_analysed(scene_jpeg: bytes) -> None:
    with pytest.raises(isolation._Failed) as failure:
        isolation.run_isolated(ctypes.string_at, 0)  # a segmentation fault in the child
    assert failure.value.code == "corrupt"
    assert isolation.analyze_isolated(scene_jpeg, purpose="photo").accepted


def test_a_file_past_its_budget_is_refused_with_advice(label_jpeg: bytes) -> None:
    result = isolation.analyze_isolated(label_jpeg, purpose="label", timeout=0.05)
    assert result.reason == "too_slow"
    assert "screenshot of just the part" in result.problems[0].message
    spanish = isolation.analyze_isolated(label_jpeg, purpose="label", language="es", timeout=0.05)
    assert "demasiado tiempo" in spanish.problems[0].message


def test_a_child_that_needs_more_memory_than_allowed_is_stopped() -> None:
    with pytest.raises(isolation._Failed) as failure:
        isolation.run_isolated(bytearray, 512 * 1024 * 1024, memory_mb=256)
    assert failure.value.code == "corrupt"
