"""The short, seeded slice of the fuzz targets that every `make test` runs (``make fuzz``
runs 100,000 coverage-guided inputs per target), and every committed finding replayed."""

from __future__ import annotations

import pytest

from fuzz.seeds import findings, slice_inputs
from fuzz.targets import TARGETS

SLICE = {"webhook": 400, "media": 60, "kb": 60, "console": 120}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seeded_slice_breaks_no_property(target: str) -> None:
    for data in slice_inputs(target, SLICE[target], seed=11):
        TARGETS[target](data)


@pytest.mark.parametrize(
    ("target", "finding"),
    [(t, p) for t in sorted(TARGETS) for p in findings(t)] or [pytest.param("-", None)],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_every_committed_finding_stays_fixed(target: str, finding) -> None:  # type: ignore[no-untyped-def]
    if finding is not None:
        TARGETS[target](finding.read_bytes())
