"""Tesseract through its C API in this process (helpdesk/media/engine.py): what is read must
be exactly what the ``tesseract`` command reads on the same pixels (the customer's text,
its confidences and boxes), a read past its time stops, and two reads at once (threads)
each get their own page's words."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytesseract
import pytest
from PIL import Image

from helpdesk.media import engine
from tests.helpdesk.media.conftest import draw_text


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
            config=f"--oem 1 --psm {psm}",
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
