"""Line direction from the letters' layout, on real pages and photos (tests/data/media-dev):
a receipt or a printed page turned a quarter turn has vertical lines, a photo of a room has
none, so no orientation is claimed for it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpdesk.media import analyze
from helpdesk.media.orientation import find_lines
from helpdesk.media.tesseract import rotate
from tests.helpdesk.media.real_media import DEV_SET, turned
from tests.helpdesk.media.real_pages import grey, score


def _grey(file: str, degrees: int) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(turned(DEV_SET / file, degrees))).convert("L"))


@pytest.mark.parametrize(
    "file", ["receipt_sroie_train_002.jpg", "text_ocrmypdf_linn.jpg", "text_skimage_page.png"]
)
@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_a_turned_page_has_lines_across_or_down(file: str, degrees: int) -> None:
    lines = find_lines(_grey(file, degrees))
    assert lines is not None
    assert lines.vertical == (degrees in (90, 270))


@pytest.mark.parametrize("file", ["dark_exdark_2015_00003.png", "sharp_skimage_coffee.png"])
def test_a_photo_without_text_has_no_lines_to_turn_it_by(file: str) -> None:
    assert find_lines(_grey(file, 0)) is None


@pytest.mark.parametrize("degrees", [0, 90])
def test_small_print_on_a_large_page_has_lines(degrees: int) -> None:
    # the linn scan placed small on a poster page: its letters are 3-4 px at 1200 px
    lines = find_lines(rotate(grey("poster.pdf"), degrees))
    assert lines is not None
    assert lines.vertical == (degrees == 90)


def test_small_print_on_a_large_page_turned_a_quarter_reads() -> None:
    # before, no lines were seen: read as it lay and searched for its turn, 0.05
    page = Image.fromarray(rotate(grey("poster.pdf"), 270))
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    assert score(analyze(buffer.getvalue(), purpose="receipt").ocr.text) >= 0.95
