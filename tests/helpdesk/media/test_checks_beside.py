"""The authenticity checks run beside the verdict (helpdesk/media/analysis.py) on the second
core: the agent must still get exactly what the checks give when run one after the other,
the editor named in the file's metadata first, then the fingerprint, for a photo and for a
picture that is read."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from helpdesk.media import analyze, limits
from helpdesk.media.authenticity.check import inspect
from helpdesk.media.decode import load_image


def _edited_photo(scene: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.1 (Windows)"  # EXIF Software
    buffer = io.BytesIO()
    scene.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("purpose", ["photo", "receipt"])
def test_the_agent_gets_the_same_authenticity_evidence(make_scene, purpose: str) -> None:  # type: ignore[no-untyped-def]
    data = _edited_photo(make_scene())
    rules = limits.PURPOSES[purpose]
    long_side = limits.OCR_LONG_SIDE if rules.ocr else limits.WORK_LONG_SIDE
    grey = load_image(data, "image/jpeg", long_side=long_side).grey
    one_after_the_other = inspect(data, mime="image/jpeg", grey=grey)
    result = analyze(data, purpose=purpose)
    codes = [s["code"] for s in result.authenticity["signals"]]
    assert "editing_software" in codes
    assert result.authenticity["fingerprint"] is not None
    assert result.authenticity == one_after_the_other


def test_a_refused_file_is_still_refused_with_its_reason() -> None:
    result = analyze(b"\xff\xd8\xff\xe0" + b"\x00" * 400, purpose="photo")
    assert not result.accepted and result.reason == "corrupt"
