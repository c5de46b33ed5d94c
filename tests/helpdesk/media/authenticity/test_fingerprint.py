"""The fingerprint's hashes are ImageHash's phash of each view, however they are computed.

``fingerprint`` averages every view down from one summed-area table and takes their DCTs
together (``phash.hashes``); until then each view was resized with OpenCV and hashed on
its own. Fingerprints stored by that route stay in the index, so the two must agree: a
photo stored before and sent again must still be found (``index.KEY_MAX`` bits apart at
most), and the views a picture gets (crops, boxes, the picture inside a screenshot) must
be the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpdesk.media import limits
from helpdesk.media.authenticity import fingerprint as fp
from helpdesk.media.authenticity import phash
from helpdesk.media.authenticity.index import KEY_MAX
from helpdesk.media.decode import load_image
from tests.helpdesk.media.authenticity.evalset import chat_screenshot, jpeg_bytes, photos


def _one_by_one(grey: np.ndarray, found: fp.Fingerprint) -> dict[str, tuple[int, bytes]]:
    """Each view of ``found`` hashed the way it was before: its region cut out of the
    working copy, resized by OpenCV, one DCT per hash."""
    small = fp._shrink(grey)
    hashes = {}
    for view in found.views:
        if view.view.startswith("turn"):
            region = fp._turn(small, float(view.view[4:]))
        else:
            y0, y1, x0, x1 = fp._bounds(small.shape, view.box)
            region = small[y0:y1, x0:x1]
        hashes[view.view] = (phash.key(region), phash.detail(region))
    return hashes


def _greys() -> list[tuple[str, np.ndarray]]:
    chosen = photos("dev")[:8]
    pictures = [(p.name, p.image()) for p in chosen]
    # A photo inside a chat screenshot: boxes and the picture peeled out of the frame.
    pictures.append(("chat", chat_screenshot(pictures[0][1])))
    greys = []
    for name, image in pictures:
        data = jpeg_bytes(image, 90)
        greys.append((name, load_image(data, "image/jpeg", long_side=limits.WORK_LONG_SIDE).grey))
    return greys


def test_batched_hashes_are_the_hashes_of_each_view_resized_on_its_own() -> None:
    keys_same = keys_total = 0
    for name, grey in _greys():
        found = fp.fingerprint(grey)
        assert found is not None, name
        reference = _one_by_one(grey, found)
        for view in found.views:
            key, detail = reference[view.view]
            # Rounding of a cell that falls on half a grey level may flip a bit; a stored
            # fingerprint must stay well inside the look-up's reach.
            assert fp.hamming(view.key, key) <= 2, (name, view.view)
            assert fp.hamming_bytes(view.detail, detail) <= 4, (name, view.view)
            keys_same += view.key == key
            keys_total += 1
    assert KEY_MAX > 2
    assert keys_same >= 0.97 * keys_total


def test_a_small_picture_is_hashed_by_resizing_up_as_before() -> None:
    # 40x30: every view is smaller than the 64-cell grid, so OpenCV enlarges each one.
    rng = np.random.default_rng(3)
    grey = (rng.random((30, 40)) * 255).astype(np.uint8)
    found = fp.fingerprint(grey)
    assert found is not None
    reference = _one_by_one(grey, found)
    assert {v.view for v in found.views} >= {"full", "turn-3.5", "turn+3.5"}
    assert all((v.key, v.detail) == reference[v.view] for v in found.views)


@pytest.mark.parametrize("side", [8, 23])
def test_too_small_or_plain_pictures_have_no_fingerprint(side: int) -> None:
    rng = np.random.default_rng(1)
    assert fp.fingerprint((rng.random((side, side * 2)) * 255).astype(np.uint8)) is None
    assert fp.fingerprint(np.full((300, 400), 128, np.uint8)) is None
    # Plain but for a faint ramp (std < 2): nothing to tell it from another plain picture.
    ramp = np.tile(np.linspace(126, 131, 400).astype(np.uint8), (300, 1))
    assert fp.fingerprint(np.asarray(Image.fromarray(ramp))) is None
