"""A page fed in askew is read level (helpdesk/media/deskew.py): OCRmyPDF's real scan
placed 2.6 degrees off level reads as the level scan does, and every word's box stays on
the word in the page as it came."""

from __future__ import annotations

import numpy as np
import pytest

from helpdesk.media import analyze, deskew, ocr
from helpdesk.media.orientation import find_lines
from helpdesk.media.tesseract import Word, rotate, run
from tests.helpdesk.media.real_pages import PAGES, grey, score


def test_the_skewed_scan_reads_as_the_level_one() -> None:
    # read as it lies, Tesseract put each paragraph's last words after the next (0.854)
    analysis = analyze((PAGES / "rotated_skew.pdf").read_bytes(), purpose="receipt")
    assert score(analysis.ocr.text) >= 0.95


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_the_slope_is_measured_the_same_at_every_quarter_turn(degrees: int) -> None:
    lines = find_lines(rotate(grey("rotated_skew.pdf"), degrees))
    assert lines is not None
    assert deskew.worth_straightening(lines.skew)
    assert lines.skew == pytest.approx(-2.6, abs=0.3)


def test_a_level_scan_is_not_turned() -> None:
    lines = find_lines(grey("linn.png"))
    assert lines is not None and not deskew.worth_straightening(lines.skew)


def test_word_boxes_are_on_the_words_of_the_page_as_it_came() -> None:
    page = grey("rotated_skew.pdf")
    result = ocr.read_text(page, camera=False)
    shown = {"LinnSequencer", "Recording", "Composition", "Additional"}
    found = [w for w in result.words if w.text in shown]
    assert {w.text for w in found} == shown, result.text[:300]
    for word in found:
        # the box cut out of the page as it came, with a margin, reads as that word: a box
        # left on the level page's coordinates is a line pitch or more away
        x, y, w, h = word.box
        margin = h // 2
        cut = page[max(0, y - margin) : y + h + margin, max(0, x - margin) : x + w + margin]
        assert word.text in [r.text for r in run(cut, 7, 30.0)], word.text


def test_boxes_turned_back_land_where_they_were() -> None:
    page = np.full((400, 600), 255, np.uint8)
    level, how = deskew.straighten(page, 3.0)
    assert level.shape[0] > 400 and level.shape[1] > 600
    # the level page's middle is the page's middle
    middle = Word("x", 90.0, (level.shape[1] // 2 - 10, level.shape[0] // 2 - 5, 20, 10), 1)
    (back,) = deskew.boxes_back([middle], how)
    assert back.box == (290, 195, 20, 10)
