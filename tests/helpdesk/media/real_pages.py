"""The real pages in tests/data/media-pages (see its SOURCES.md), as the analysis gets them."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image

from helpdesk.media.documents import read_pdf
from tests.helpdesk.media.real_media import similarity

PAGES = Path(__file__).resolve().parents[2] / "data" / "media-pages"


def linn_text() -> str:
    return (PAGES / "linn.txt").read_text(encoding="utf-8")


def score(text: str) -> float:
    """Word-sequence similarity to the page's text, in its reading order (real_media)."""
    return similarity(text, linn_text())


@functools.cache
def grey(file: str) -> np.ndarray:
    """The page as the analysis reads it: a PDF rendered as documents.read_pdf renders a
    scan, a picture in grey."""
    path = PAGES / file
    if path.suffix == ".pdf":
        return read_pdf(path.read_bytes()).images[0]
    return np.asarray(Image.open(path).convert("L"))
