"""The evaluation set for a pasted digit inside one picture (``measure_glyphs.py``).

Positives: the real SROIE receipts of tests/data/media-dev with one digit of the total or
of the date covered by another digit of the same receipt (``copyset.paste_digit``: real
pixels, saved again as JPEG), the covered cell known. Negatives: every untouched real
picture of media-dev (receipts, signs, pages, scenes) as it is and as WhatsApp re-sends
it. Halves by name (``copyset.half_of``). ``python -m tests.helpdesk.media.authenticity.
measure_glyphs`` prints the measures of both halves.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

from tests.helpdesk.media.authenticity.copyset import (
    MEDIA_DEV,
    _jpeg,
    half_of,
    paste_digit,
    receipts,
    resent,
)


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # pasted_amount, pasted_date, untouched, resent
    data: bytes
    cell: tuple[int, int, int, int] | None  # the pasted cell, pixels (l, t, r, b)


def cases(split: str) -> Iterator[Case]:
    for name, image, key in receipts(split):
        total = key["total"].removeprefix("RM").strip()
        for kind, target in (("pasted_amount", total), ("pasted_date", key["date"])):
            pasted = paste_digit(image, target)
            if pasted is not None:
                yield Case(name, kind, _jpeg(pasted[0], 90), pasted[1])
    for path in sorted(MEDIA_DEV.iterdir()):
        if path.suffix not in (".jpg", ".png") or half_of(path.name) != split:
            continue
        yield Case(path.name, "untouched", path.read_bytes(), None)
        with Image.open(io.BytesIO(path.read_bytes())) as opened:
            yield Case(path.name, "resent", resent(opened.convert("RGB")), None)
