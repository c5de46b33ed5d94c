"""The double-compression signal: a region pasted from another JPEG into a real receipt is
highlighted for the agent; untouched real files re-saved whole are not flagged.

The evaluation prints detection and false-positive rates on the held-out half of the
paste set (tests/helpdesk/media/authenticity/pasteset.py); thresholds were chosen on the
calibration half (``python -m tests.helpdesk.media.authenticity.pasteset calibration``).
"""

from __future__ import annotations

from PIL import Image

from helpdesk.media.analysis import analyze
from helpdesk.media.authenticity.compression import inspect_jpeg
from tests.helpdesk.media.authenticity.pasteset import (
    DATA,
    _open,
    _save,
    _subsampling,
    measure,
    report,
)

PASTE = (203, 301, 463, 421)


def _pasted_receipt() -> bytes:
    """A real receipt with a block of a real page (saved at quality 50 first) pasted at a
    hand-picked position and the receipt saved again with its own tables."""
    host = _open((DATA / "receipt_sroie_train_010.jpg").read_bytes())
    with Image.open(DATA / "text_kraken_bookpage.jpg") as page:
        donor = _open(_save(page, quality=50)).convert("RGB")
    edited = host.convert("RGB")
    edited.paste(donor.crop((101, 203, 361, 323)), PASTE[:2])
    return _save(edited, qtables=host.quantization, subsampling=_subsampling(host))


def test_a_pasted_region_is_highlighted_with_its_grid_and_an_explanation() -> None:
    data = _pasted_receipt()
    [signal] = [s.to_dict() for s in inspect_jpeg(data)]
    assert signal["code"] == "double_compression"
    assert signal["severity"] in ("notable", "strong")
    # The donor's grid: the crop began 101, 203 px into it (3, 5 px past a block edge of
    # the crop) and landed at 203, 301: its blocks start 6 px across, 2 px down.
    assert signal["evidence"]["grid_shift"] == [6, 2]
    with Image.open(DATA / "receipt_sroie_train_010.jpg") as image:
        width, height = image.size
    left, top, right, bottom = signal["region"]
    assert left * width <= PASTE[0] + 32 and right * width >= PASTE[2] - 32
    assert top * height <= PASTE[1] + 32 and bottom * height >= PASTE[3] - 32
    assert "pasted" in signal["explanation"] and "original file" in signal["explanation"]


def test_the_same_receipt_re_saved_whole_twice_is_not_flagged() -> None:
    host = _open((DATA / "receipt_sroie_train_010.jpg").read_bytes())
    twice = _save(_open(_save(host, quality=85)), quality=90)
    assert inspect_jpeg(twice) == []
    assert inspect_jpeg((DATA / "receipt_sroie_train_010.jpg").read_bytes()) == []


def test_the_signal_reaches_the_analysis_and_nothing_is_refused() -> None:
    edited = analyze(_pasted_receipt(), purpose="receipt").to_dict()
    original = analyze((DATA / "receipt_sroie_train_010.jpg").read_bytes(), purpose="receipt")
    codes = [s["code"] for s in edited["authenticity"]["signals"]]
    assert "double_compression" in codes
    assert "double_compression" not in [s["code"] for s in original.authenticity["signals"]]
    # The customer's file is judged as if it were not suspected: same answer, same problems.
    assert edited["accepted"] == original.accepted
    assert [p["code"] for p in edited["problems"]] == [p.code for p in original.problems]


def test_held_out_false_positives_within_budget_and_pastes_found() -> None:
    counts = measure("held-out")
    print("\n" + report("held-out", counts))
    untouched = [v for k, v in counts.items() if k.startswith("untouched")]
    assert sum(h for h, _ in untouched) <= 0.05 * sum(t for _, t in untouched)
    pasted = [v for k, v in counts.items() if k.startswith("pasted")]
    assert sum(h for h, _ in pasted) > 0
