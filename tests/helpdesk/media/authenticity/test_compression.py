"""The double-compression check (``compression.inspect_jpeg``): a region pasted from
another JPEG into a real receipt is found on its own grid and highlighted; the untouched
receipt re-saved whole is not flagged.

The check is NOT wired into the analysis: on the held-out half of the paste set it flags
1 % of untouched files (5 % before the picture-wide history test) and finds few pastes,
see helpdesk/media/authenticity/compression.py.
Rates per split: ``python -m tests.helpdesk.media.authenticity.pasteset held-out``.
"""

from __future__ import annotations

from PIL import Image

from helpdesk.media.authenticity.compression import inspect_jpeg
from tests.helpdesk.media.authenticity.pasteset import (
    DATA,
    _open,
    _save,
    _subsampling,
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


def test_a_picture_whose_own_old_grid_shows_where_it_is_smooth_is_not_flagged() -> None:
    # A real blurred street photo: its smooth road carries a quality-50 lattice on a grid
    # 4 px off (the picture's own history, a crop after an earlier save); the same
    # lattice stands above chance all over the rest of the picture, which a paste's
    # does not. It was flagged as a strong paste before the history test.
    assert inspect_jpeg((DATA / "blur_nafnet_demo_blurry.jpg").read_bytes()) == []
