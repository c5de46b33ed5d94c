"""Tesseract through its C API in this process (helpdesk/media/engine.py): what is read must
be exactly what the ``tesseract`` command reads on the same pixels (the customer's text,
its confidences and boxes), a read past its time stops, and two reads at once (threads)
each get their own page's words."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytesseract
import pytest
from PIL import Image

from helpdesk.media import engine
from helpdesk.media.page_rotation import osd_rotation
from helpdesk.settings import get_settings
from tests.helpdesk.media.conftest import draw_text

SYSTEM_MODELS = Path("/usr/share/tesseract-ocr/5/tessdata")  # Debian's tesseract-ocr-*


def _page(lines: list[str]) -> np.ndarray:
    return np.asarray(draw_text(lines, size=(1400, 700), font_size=44).convert("L"))


RECEIPT = ["CAFE SOL  Calle Mayor 3", "Fecha: 12/03/2025", "Total EUR 18,40", "Gracias!"]
ERROR = ["Payment failed", "Transaction ID: TXN8A23F90B12", "Error code E-1042"]


@pytest.mark.parametrize("psm", [3, 6, 11])
def test_the_engine_reads_what_the_tesseract_command_reads(psm: int) -> None:
    for lines in (RECEIPT, ERROR):  # one after the other: no state carried between pages
        grey = _page(lines)
        ours = engine.image_to_data(grey, lang="eng+spa", psm=psm, timeout=60)
        command = pytesseract.image_to_data(
            Image.fromarray(grey),
            lang="eng+spa",
            config=f"--oem 1 --psm {psm}"
            + (f" --tessdata-dir {engine.models_dir()}" if engine.models_dir() else ""),
            output_type=pytesseract.Output.DICT,
        )
        assert ours == command
        assert "Total" in ours["text"] or "failed" in ours["text"]


def test_a_read_past_its_time_stops_with_a_timeout() -> None:
    grey = np.tile(_page(RECEIPT + ERROR), (4, 1))
    with pytest.raises(RuntimeError, match="timeout"):
        engine.image_to_data(grey, lang="eng+spa", psm=3, timeout=0.001)
    # ...and the engine is still usable afterwards.
    words = engine.image_to_data(_page(ERROR), lang="eng+spa", psm=6, timeout=60)["text"]
    assert "failed" in words


def test_reads_in_two_threads_each_get_their_own_page() -> None:
    pages = [_page(RECEIPT), _page(ERROR)] * 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(
            pool.map(
                lambda g: " ".join(
                    engine.image_to_data(g, lang="eng+spa", psm=6, timeout=60)["text"]
                ),
                pages,
            )
        )
    assert all("Total" in t and "failed" not in t for t in texts[::2])
    assert all("failed" in t and "Total" not in t for t in texts[1::2])


def test_the_models_are_read_from_the_configured_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # HELPDESK_TESSDATA_DIR: the same models in another folder read the same words, for the
    # page and for the orientation check (osd).
    default = engine.image_to_data(_page(RECEIPT), lang="eng+spa", psm=6, timeout=60)
    turned = np.ascontiguousarray(np.rot90(_page(ERROR * 4)))
    default_osd = osd_rotation(turned, 60)
    folder = tmp_path / "tessdata"
    folder.mkdir()
    for name in ("eng", "spa", "osd"):
        (folder / f"{name}.traineddata").symlink_to(SYSTEM_MODELS / f"{name}.traineddata")
    monkeypatch.setenv("HELPDESK_TESSDATA_DIR", str(folder))
    get_settings.cache_clear()
    assert engine.models_dir() == str(folder)
    assert engine.image_to_data(_page(RECEIPT), lang="eng+spa", psm=6, timeout=60) == default
    assert osd_rotation(turned, 60) == default_osd
    assert default_osd[0] in (90, 270)


def test_a_models_folder_without_the_models_fails_naming_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A wrong HELPDESK_TESSDATA_DIR must not read with other models than configured: the
    # read fails (the analysis then reports no text) and the orientation check finds none.
    turned = np.ascontiguousarray(np.rot90(_page(ERROR * 4)))
    assert osd_rotation(turned, 60)[0] in (90, 270)
    monkeypatch.setenv("HELPDESK_TESSDATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    with pytest.raises(RuntimeError, match=str(tmp_path)):
        engine.image_to_data(_page(RECEIPT), lang="eng+spa", psm=6, timeout=60)
    assert osd_rotation(turned, 60) == (0, 0.0)
