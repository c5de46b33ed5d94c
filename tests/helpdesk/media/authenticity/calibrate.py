"""Choose the reuse thresholds on the dev half of the evaluation set (never the test half).

    .venv/bin/python -m tests.helpdesk.media.authenticity.calibrate

Prints, for each (key, detail) threshold pair, the share of reused copies found and of
unrelated / look-alike pairs flagged, compared view pair by view pair (no index), and the
pair with the best recall among those within the false-positive budget (half the target:
unrelated ≤ 0.5 %, look-alike ≤ 2.5 %), leaving room for the test half to differ.
"""

from __future__ import annotations

from collections import defaultdict

from helpdesk.media.authenticity.fingerprint import Fingerprint, hamming, hamming_bytes
from helpdesk.media.authenticity.index import comparable
from tests.helpdesk.media.authenticity.evalset import negative_pairs, reused_pairs
from tests.helpdesk.media.authenticity.support import fingerprint_bytes

KEYS = (8, 10, 12, 14)
DETAILS = (50, 60, 70, 80, 90, 100)


def _distances(a: Fingerprint, b: Fingerprint) -> list[tuple[int, int]]:
    return [
        (hamming(x.key, y.key), hamming_bytes(x.detail, y.detail))
        for x in a.views
        for y in b.views
        if comparable(x.view, y.view)
    ]


def main() -> None:
    found: dict[str, list[list[tuple[int, int]]]] = defaultdict(list)
    for pair in [*reused_pairs("dev"), *negative_pairs("dev")]:
        a, b = fingerprint_bytes(pair.first), fingerprint_bytes(pair.second)
        if a is None or b is None:
            found[pair.kind].append([])
            continue
        found[pair.kind].append(_distances(a, b))
    best = None
    for key in KEYS:
        for detail in DETAILS:
            rates = {
                kind: sum(any(k <= key and d <= detail for k, d in p) for p in pairs) / len(pairs)
                for kind, pairs in found.items()
            }
            print(
                f"key ≤ {key:2d} detail ≤ {detail:3d}: "
                + ", ".join(f"{k} {v:.1%}" for k, v in sorted(rates.items()))
            )
            within = rates["unrelated"] <= 0.005 and rates["lookalike"] <= 0.025
            if within and (best is None or rates["reused"] > best[0]):
                best = (rates["reused"], key, detail)
    print("chosen:", best)


if __name__ == "__main__":
    main()
