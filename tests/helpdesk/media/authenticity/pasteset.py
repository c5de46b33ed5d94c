"""The evaluation set for the double-compression signal, built from the real photos,
receipts and pages of tests/data/media-dev (attribution in its SOURCES.md).

Positives: a region cut from *another* real picture of the set, saved as JPEG at its own
quality first (what a screenshot or a photo of another receipt is), pasted by hand at a
pixel position into the picture, and the whole saved again: with the picture's own
quantisation tables (``keep``: what an editor's "save" does, and what hides the edit from
a table check) or at another quality (``requality``). ``finer`` pastes come from a JPEG
saved at a finer quality than the final save: the known blind spot, reported apart.
Negatives: the untouched files, as they are and re-saved whole once or twice.

Pictures are split in two halves by a hash of their name: ``calibration`` (thresholds are
chosen on it, ``python -m tests.helpdesk.media.authenticity.calibrate_compression``) and
``held-out`` (only measured).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

DATA = Path(__file__).resolve().parents[3] / "data" / "media-dev"
SPLITS = ("calibration", "held-out")
PASTES_PER_PICTURE = 4


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # keep | requality | finer | as_received | once | twice
    data: bytes
    # The pasted rectangle in pixels (left, top, right, bottom); None for negatives.
    pasted: tuple[int, int, int, int] | None


def pictures(split: str) -> list[Path]:
    found = []
    for path in sorted(DATA.iterdir()):
        if path.suffix.lower() not in (".jpg", ".png"):
            continue
        half = SPLITS[hashlib.sha256(path.name.encode()).digest()[0] % 2]
        if half == split:
            found.append(path)
    return found


def _rng(*parts: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")
    return np.random.default_rng(seed)


def _save(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", **options)
    return buffer.getvalue()


def as_jpeg(path: Path) -> bytes:
    """The picture as a JPEG file: a JPEG as it is; a PNG saved once the way a phone
    would (quality 90)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".jpg":
        return data
    with Image.open(path) as image:
        return _save(image, quality=90)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def negatives(path: Path) -> Iterator[Case]:
    rng = _rng(path.name, "negative")
    original = as_jpeg(path)
    yield Case(path.name, "as_received", original, None)
    source = _open(original)
    keep = {"qtables": source.quantization, "subsampling": _subsampling(source)}
    yield Case(path.name, "once", _save(source, **keep), None)
    yield Case(path.name, "once", _save(source, quality=int(rng.integers(70, 96))), None)
    first = _save(source, quality=int(rng.integers(70, 96)))
    yield Case(path.name, "twice", _save(_open(first), quality=int(rng.integers(70, 96))), None)


def positives(path: Path, donors: list[Path]) -> Iterator[Case]:
    original = as_jpeg(path)
    for number in range(PASTES_PER_PICTURE):
        rng = _rng(path.name, "paste", str(number))
        donor_path = donors[int(rng.integers(len(donors)))]
        if donor_path == path:
            donor_path = donors[(donors.index(path) + 1) % len(donors)]
        host = _open(original)
        width, height = host.size
        kind = ("keep", "requality", "keep", "finer")[number]
        final = int(rng.integers(80, 96))
        if kind == "finer":
            donor_quality = min(100, final + int(rng.integers(3, 8)))
        else:
            donor_quality = int(rng.integers(50, 80))
        with Image.open(donor_path) as donor_image:
            donor = _open(_save(donor_image, quality=donor_quality)).convert("RGB")
        # An amount or a date: a strip of a few letters' height; a photo: a larger block.
        w = int(min(donor.width, width) * rng.uniform(0.12, 0.35))
        h = int(min(donor.height, height) * rng.uniform(0.05, 0.2))
        w, h = max(w, 48), max(h, 32)
        w, h = min(w, donor.width, width), min(h, donor.height, height)
        dx, dy = (
            int(rng.integers(0, donor.width - w + 1)),
            int(rng.integers(0, donor.height - h + 1)),
        )
        x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
        pasted = host.convert("RGB")
        pasted.paste(donor.crop((dx, dy, dx + w, dy + h)), (x, y))
        if kind == "keep":
            data = _save(pasted, qtables=host.quantization, subsampling=_subsampling(host))
        else:
            data = _save(pasted, quality=final)
        yield Case(path.name, kind, data, (x, y, x + w, y + h))


def _subsampling(image: Image.Image) -> int:
    from PIL import JpegImagePlugin

    found = JpegImagePlugin.get_sampling(image)
    return found if found >= 0 else 2


def cases(split: str) -> Iterator[Case]:
    found = pictures(split)
    for path in found:
        yield from negatives(path)
        yield from positives(path, found)


def _overlaps(
    region: list[float], pasted: tuple[int, int, int, int], size: tuple[int, int]
) -> bool:
    width, height = size
    left, top, right, bottom = pasted
    return not (
        region[2] * width < left
        or right < region[0] * width
        or region[3] * height < top
        or bottom < region[1] * height
    )


def measure(split: str) -> dict[str, tuple[int, int]]:
    """Per kind: (flagged, cases). A paste counts only when the highlighted region touches
    it; a negative counts when anything is flagged."""
    from helpdesk.media.authenticity.compression import inspect_jpeg

    counts: dict[str, list[int]] = {}
    for case in cases(split):
        signals = [s.to_dict() for s in inspect_jpeg(case.data)]
        if case.pasted is None:
            flagged = bool(signals)
            key = f"untouched/{case.kind}"
        else:
            with Image.open(io.BytesIO(case.data)) as image:
                size = image.size
            flagged = any(_overlaps(s["region"], case.pasted, size) for s in signals)
            key = f"pasted/{case.kind}"
        tally = counts.setdefault(key, [0, 0])
        tally[0] += flagged
        tally[1] += 1
    return {key: (hit, total) for key, (hit, total) in sorted(counts.items())}


def report(split: str, counts: dict[str, tuple[int, int]]) -> str:
    lines = [f"double-compression signal on the {split} half ({len(pictures(split))} pictures):"]
    for key, (hit, total) in counts.items():
        what = "falsely flagged" if key.startswith("untouched") else "detected"
        lines.append(f"  {key:22s} {what:15s} {hit / total:6.1%}  ({hit}/{total})")
    untouched = [v for k, v in counts.items() if k.startswith("untouched")]
    flagged, total = sum(h for h, _ in untouched), sum(t for _, t in untouched)
    lines.append(f"  untouched overall falsely flagged {flagged / total:.1%} (goal ≤ 5%)")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.helpdesk.media.authenticity.pasteset calibration
    import sys

    chosen = sys.argv[1] if len(sys.argv) > 1 else "calibration"
    print(report(chosen, measure(chosen)))
