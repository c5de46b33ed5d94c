"""Analysis in child processes: a dying, hanging or memory-hungry decoder costs one file,
not the server, and a file past its budget gets an answer the customer can act on."""

from __future__ import annotations

import ctypes
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpdesk.media import analyze, engine, isolation
from tests.helpdesk.media.conftest import draw_text, encode


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


def _read_in_child(data: bytes) -> tuple[str, int]:
    """In the child: the screenshot's text, and how many Tesseract engines the child had
    to load itself (0 when it read with the one the fork server loaded before forking)."""
    result = analyze(data, purpose="screenshot")
    return (result.ocr.text if result.ocr else ""), engine.engines_made_here()


def test_two_children_read_at_once_with_the_engine_loaded_before_the_fork() -> None:
    # The fork server loads the Tesseract models once, idle; every child forked from it
    # reads with its own copy, so two customers' screenshots read at the same moment each
    # give their own text, and no child spends its budget loading the models again.
    screens = [
        encode(draw_text(lines, size=(1080, 900), font_name="DejaVuSans.ttf"), "PNG")
        for lines in (
            ["Payment failed", "Transaction ID TXN8A23F90B12"],
            ["Order shipped", "Tracking 1Z999AA10"],
        )
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda data: isolation.run_isolated(_read_in_child, data), screens * 2)
        )
    for index, (text, engines_loaded) in enumerate(answers):
        if index % 2 == 0:
            assert "TXN8A23F90B12" in text and "shipped" not in text, text
        else:
            assert "1Z999AA10" in text and "failed" not in text, text
        assert engines_loaded == 0
    # The same words as a read in this process.
    here = analyze(screens[0], purpose="screenshot")
    assert here.ocr is not None and answers[0][0] == here.ocr.text
