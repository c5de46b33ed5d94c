"""A number whose size or baseline does not match its line: edited payment screens are
flagged with the painted box as the region; the real pictures of tests/data/media-dev
(paper receipts, signs, pages) and the honest screens are not. Prints both rates."""

from __future__ import annotations

from helpdesk.media import analyze
from helpdesk.media.authenticity.edits import inconsistent_text
from helpdesk.media.ocr import Word
from tests.helpdesk.media.authenticity.editset import edited, honest, honest_screens


def _flags(data: bytes, purpose: str) -> list[dict]:
    signals = analyze(data, purpose=purpose).to_dict()["authenticity"]["signals"]
    return [s for s in signals if s["code"] == "text_inconsistent"]


def _overlaps(region: list[float] | None, box: tuple[float, float, float, float]) -> bool:
    if not region:
        return False
    return not (
        region[2] < box[0] or region[0] > box[2] or region[3] < box[1] or region[1] > box[3]
    )


def test_a_pasted_amount_is_flagged_on_edited_receipts_and_real_pictures_are_not() -> None:
    # The check runs on rendered pictures only: the real media-dev pictures the product
    # takes for camera photos are counted as they are (never read for it, so never flagged;
    # cheap to tell with the photo purpose), the rendered ones go through the whole reading.
    flagged = []
    for name, data, purpose in [*honest(), *honest_screens()]:
        digital = analyze(data, purpose="photo").metrics.get("digital")
        flagged.append((name, _flags(data, purpose) if digital else []))
    false = [name for name, found in flagged if found]
    found: dict[str, list[bool]] = {}
    for copy in edited():
        found.setdefault(copy.edit, []).append(
            any(_overlaps(s["region"], copy.box) for s in _flags(copy.data, "receipt"))
        )
    print(f"\ntext inconsistent: real pictures flagged {len(false)}/{len(flagged)} {false}")
    for edit, hits in sorted(found.items()):
        print(f"  edited receipts ({edit}): detected {sum(hits)}/{len(hits)}")
    assert false == []
    assert sum(len(h) for h in found.values()) >= 6  # the product reads the amounts
    detected = [hit for hits in found.values() for hit in hits]
    assert sum(detected) / len(detected) >= 0.5


def _word(text: str, x: int, y: int, w: int, h: int) -> Word:
    return Word(text, 95.0, (x, y, w, h), line=1)


def test_the_odd_word_of_a_line_gets_the_signal_and_its_box() -> None:
    line = [_word("TOTAL", 10, 100, 80, 20), _word("RM", 100, 100, 30, 20)]
    honest_line = [*line, _word("12.00", 140, 100, 60, 20)]
    assert inconsistent_text(honest_line, width=400, height=400) == []
    taller = [*line, _word("99.00", 140, 92, 60, 28)]
    (signal,) = inconsistent_text(taller, width=400, height=400)
    assert signal.evidence["text"] == "99.00"
    assert signal.region == (0.35, 0.23, 0.5, 0.3)
    assert "taller" in signal.explanation
    lower = [*line, _word("99.00", 140, 110, 60, 20)]
    (signal,) = inconsistent_text(lower, width=400, height=400)
    assert "below" in signal.explanation
