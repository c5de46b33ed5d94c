"""Line direction from the letters' layout, on real pages and photos (tests/data/media-dev):
a receipt or a printed page turned a quarter turn has vertical lines, a photo of a room has
none, so no orientation is claimed for it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpdesk.media.orientation import find_lines
from tests.helpdesk.media.real_media import DEV_SET, turned


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
