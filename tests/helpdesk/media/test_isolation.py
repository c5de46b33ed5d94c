"""Analysis in worker processes: a dying or hanging decoder costs one file, not the server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from helpdesk.media import analyze, isolation


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    isolation.shutdown()
    yield
    isolation.shutdown()


def test_the_worker_gives_the_same_answer(scene_jpeg: bytes) -> None:
    here = analyze(scene_jpeg, purpose="photo").to_dict()
    there = isolation.analyze_isolated(scene_jpeg, purpose="photo").to_dict()
    for key in ("kind", "mime", "accepted", "problems", "ocr", "fields", "barcodes"):
        assert there[key] == here[key]
    assert there["metrics"]["blur_px"] == here["metrics"]["blur_px"]


def test_a_worker_that_dies_is_reported_as_corrupt_and_replaced(scene_jpeg: bytes) -> None:
    pool = isolation._get_pool()
    with pytest.raises(Exception):  # noqa: B017 (the pool reports the death its own way)
        pool.submit(os._exit, 1).result(timeout=60)
    result = isolation.analyze_isolated(scene_jpeg, purpose="photo")
    assert result.reason == "corrupt"
    assert "send it again" in result.problems[0].message
    assert isolation.analyze_isolated(scene_jpeg, purpose="photo").accepted  # a new pool


def test_a_hung_analysis_is_cut_off(scene_jpeg: bytes) -> None:
    result = isolation.analyze_isolated(scene_jpeg, purpose="photo", timeout=0.0001)
    assert result.reason == "corrupt"
