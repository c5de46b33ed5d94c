"""Measuring the analysis on the real dev set in tests/data/media-dev (see its SOURCES.md).

Shared by tests/helpdesk/media/test_real_media.py (which asserts the figures) and
bench/bench_media.py. The set is split in two halves, alternating within each category by
file name: the ``calibration`` half is what thresholds were looked at on, the ``held_out``
half is only measured, so the figures on it say how the analysis does on media it was not
tuned to.

Figures:

- verdict: ``blurry`` / ``too_dark`` / ``accept`` as the customer would be told; photos are
  judged for the ``photo`` purpose and for ``any`` (which also reads text, the route that
  used to call a dark room "upside down"); receipts and pages for ``receipt``.
- OCR similarity of pages with a ground truth, turned by 0/90/180/270 degrees here; for a
  page under 0.90 also its words found in any order, which tells misread or lost words
  from words read in another order.
- receipts: the field of type ``total`` and the first field of type ``date`` against the
  dataset's key.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

DEV_SET = Path(__file__).resolve().parents[2] / "data" / "media-dev"
ROTATIONS = (0, 90, 180, 270)


@dataclass(frozen=True)
class Item:
    file: str
    category: str
    expected: str
    ground_truth: str | None
    total: str | None
    date: str | None
    half: str  # "calibration" or "held_out"

    @property
    def path(self) -> Path:
        return DEV_SET / self.file


def load_items() -> list[Item]:
    with (DEV_SET / "labels.csv").open(newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: (r["category"], r["file"]))
    items: list[Item] = []
    seen: dict[str, int] = {}
    for row in rows:
        index = seen.get(row["category"], 0)
        seen[row["category"]] = index + 1
        items.append(
            Item(
                file=row["file"],
                category=row["category"],
                expected=row["expected_verdict"],
                ground_truth=row["ground_truth_text_file"] or None,
                total=row["total"] or None,
                date=row["date"] or None,
                half="calibration" if index % 2 == 0 else "held_out",
            )
        )
    return items


# --- text similarity ----------------------------------------------------------------------


def ground_truth_text(item: Item) -> str:
    raw = (DEV_SET / str(item.ground_truth)).read_text(encoding="utf-8", errors="replace")
    if item.file.startswith(("receipt_sroie", "rot_sroie")):
        # SROIE box files: x1,y1,...,x4,y4,transcript per line.
        return "\n".join(line.split(",", 8)[8] for line in raw.splitlines() if line.count(",") >= 8)
    return raw


def reading_order_truth(item: Item) -> str:
    """The ground truth as a person reads the page: SROIE box files list their boxes in
    the annotators' order (often a column of labels, then the column of their amounts),
    so they are put back into rows by their coordinates, left to right within a row.
    A perfect reading scores 0.76-0.86 against the box order on four dev receipts; this
    is what it is compared with in the reading-order figure. Other truths are texts.

    A row is followed from left to right, each box joining the row whose last box it
    overlaps most in height (at least half the lower one's), then followed again with every
    box's height carried to the left edge along those rows' median slope, so a slip
    photographed askew, whose prices sit as low as the next line's label, keeps its rows;
    rows are read top to bottom by their first box."""
    raw = (DEV_SET / str(item.ground_truth)).read_text(encoding="utf-8", errors="replace")
    if not item.file.startswith(("receipt_sroie", "rot_sroie")):
        return raw
    boxes: list[tuple[float, float, float, float, str]] = []
    for line in raw.splitlines():
        if line.count(",") < 8:
            continue
        cells = line.split(",", 8)
        xs, ys = [int(cells[i]) for i in (0, 2, 4, 6)], [int(cells[i]) for i in (1, 3, 5, 7)]
        boxes.append((min(xs), max(xs), min(ys), max(ys), cells[8]))
    slope = _median_slope(_chained_rows(boxes))
    # once more with the heights carried along that slope: the rows' own drift is left
    level = [(x0, x1, y0 - slope * x0, y1 - slope * x0, text) for x0, x1, y0, y1, text in boxes]
    rows = _chained_rows(level)
    rows.sort(key=lambda r: (r[0][2] + r[0][3]) / 2)
    return "\n".join(" ".join(b[4] for b in r) for r in rows)


Box = tuple[float, float, float, float, str]  # left, right, top, bottom, text


def _chained_rows(boxes: list[Box]) -> list[list[Box]]:
    """Rows followed from left to right: each box joins the row whose last box (to its
    left) overlaps it most in height, if by at least half the lower of their heights."""
    rows: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b[0], b[2])):
        left, _, top, bottom, _ = box

        def overlap(row: list[Box], left=left, top=top, bottom=bottom) -> float:
            """Shared height over the lower of the two heights (an "=" is short)."""
            last = row[-1]
            if last[1] > left + (bottom - top) / 2:  # not to its left
                return 0.0
            shared = min(bottom, last[3]) - max(top, last[2])
            return shared / max(1.0, min(bottom - top, last[3] - last[2]))

        best = max(rows, key=overlap, default=None)
        if best is not None and overlap(best) >= 0.5:
            best.append(box)
        else:
            rows.append([box])
    return rows


def _median_slope(rows: list[list[Box]]) -> float:
    """How far the rows of two or more boxes fall per pixel across, their median."""
    slopes = sorted(
        ((r[-1][2] + r[-1][3]) - (r[0][2] + r[0][3])) / 2 / (r[-1][0] - r[0][0])
        for r in rows
        if len(r) >= 2 and r[-1][0] > r[0][0]
    )
    return slopes[len(slopes) // 2] if slopes else 0.0


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def similarity(read: str, truth: str) -> float:
    """Word-level similarity: matched words over all words of both texts (difflib's ratio
    on word sequences). Reading order counts, as it does for a person reading it back; a
    page read upside down as garbage scores about 0."""
    a, b = tokens(read), tokens(truth)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def word_overlap(read: str, truth: str) -> float:
    """The same words in any order: how much of the page Tesseract read at all. Far above
    ``similarity`` means the words were read but in another order (columns, layout); close
    to it means words were misread or lost (faint print, misaligned columns)."""
    a, b = Counter(tokens(read)), Counter(tokens(truth))
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


# --- verdicts and fields --------------------------------------------------------------------


def verdict(analysis: dict[str, Any]) -> str:
    errors = [p["code"] for p in analysis["problems"] if p["severity"] == "error"]
    if "blurry" in errors:
        return "blurry"
    if "too_dark" in errors:
        return "too_dark"
    return "accept" if not errors else errors[0]


def _number(text: str | None) -> float | None:
    if not text:
        return None
    match = re.search(r"\d+(?:[.,]\d+)?", text.replace(",", ""))
    return float(match.group(0)) if match else None


def total_of(analysis: dict[str, Any]) -> float | None:
    found = [f for f in analysis["fields"] if f["type"] == "total"]
    return _number(str(found[0]["value"])) if found else None


def amounts_of(analysis: dict[str, Any]) -> list[float]:
    values = [
        _number(str(f["value"])) for f in analysis["fields"] if f["type"] in ("amount", "total")
    ]
    return [v for v in values if v is not None]


_MONTHS = {
    m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())
}


def expected_dates(raw: str) -> set[str]:
    """ISO dates the key's date can mean (SROIE writes d/m/y mostly, m/d/y sometimes)."""
    raw = raw.strip().lower()
    named = re.match(r"(\d{1,2})\s*([a-z]{3})[a-z]*\s*(\d{2,4})", raw)
    if named:
        day, month, year = int(named.group(1)), _MONTHS[named.group(2)], int(named.group(3))
        return {_iso(year, month, day)}
    parts = [int(p) for p in re.findall(r"\d+", raw)]
    if len(parts) != 3:
        return set()
    a, b, year = parts
    options = {_iso(year, b, a)}
    if a <= 12 and b > 12:
        options = {_iso(year, a, b)}
    return {o for o in options if o}


def _iso(year: int, month: int, day: int) -> str:
    if year < 100:
        year += 2000
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def date_of(analysis: dict[str, Any]) -> str | None:
    found = [f for f in analysis["fields"] if f["type"] == "date"]
    return str(found[0]["value"]) if found else None


# --- running -------------------------------------------------------------------------------


def turned(path: Path, degrees: int) -> bytes:
    """The file's bytes with its content turned ``degrees`` counter-clockwise (lossless
    transpose of the decoded picture, saved as PNG so no new JPEG artefacts are added)."""
    data = path.read_bytes()
    if degrees == 0:
        return data
    image = Image.open(io.BytesIO(data))
    method = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180}.get(
        degrees, Image.Transpose.ROTATE_270
    )
    buffer = io.BytesIO()
    image.transpose(method).save(buffer, "PNG")
    return buffer.getvalue()


def _analyse(job: tuple[str, int, str]) -> tuple[str, int, str, dict[str, Any]]:
    from helpdesk.media import analyze

    file, degrees, purpose = job
    data = turned(DEV_SET / file, degrees)
    return file, degrees, purpose, analyze(data, purpose=purpose).to_dict()


@dataclass
class Report:
    verdicts: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    similarities: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)
    # The same against the truth in reading order (see reading_order_truth).
    in_reading_order: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)
    totals: dict[str, list[tuple[str, int, bool, bool]]] = field(default_factory=dict)
    dates: dict[str, list[tuple[str, int, bool]]] = field(default_factory=dict)
    # A turned page's text against the same page's upright text: what turning costs,
    # apart from how well Tesseract reads the page at all.
    agreement: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)
    # Per page and rotation: the words read in any order (see word_overlap).
    overlaps: dict[tuple[str, int], float] = field(default_factory=dict)

    def verdict_accuracy(self, half: str, purpose: str | None = None) -> float:
        rows = [r for r in self.verdicts.get(half, []) if purpose is None or r[1] == purpose]
        return sum(r[2] == r[3] for r in rows) / len(rows) if rows else 0.0

    def similarity_by_rotation(
        self, half: str, *, reading_order: bool = False
    ) -> dict[int, tuple[float, float]]:
        rows = (self.in_reading_order if reading_order else self.similarities).get(half, [])
        out: dict[int, tuple[float, float]] = {}
        for degrees in ROTATIONS:
            values = [s for _, d, s in rows if d == degrees]
            if values:
                out[degrees] = (sum(values) / len(values), min(values))
        return out

    def agreement_by_rotation(self, half: str) -> dict[int, tuple[float, float]]:
        out: dict[int, tuple[float, float]] = {}
        for degrees in ROTATIONS[1:]:
            values = [s for _, d, s in self.agreement.get(half, []) if d == degrees]
            if values:
                out[degrees] = (sum(values) / len(values), min(values))
        return out

    def total_accuracy(self, half: str, *, upright: bool = False) -> float:
        rows = [r for r in self.totals.get(half, []) if not upright or r[1] == 0]
        return sum(r[2] for r in rows) / len(rows) if rows else 0.0

    def total_among_amounts(self, half: str) -> float:
        rows = [r for r in self.totals.get(half, []) if r[1] == 0]
        return sum(r[3] for r in rows) / len(rows) if rows else 0.0

    def date_accuracy(self, half: str, *, upright: bool = False) -> float:
        rows = [r for r in self.dates.get(half, []) if not upright or r[1] == 0]
        return sum(r[2] for r in rows) / len(rows) if rows else 0.0

    def lines(self) -> Iterable[str]:
        for half in ("calibration", "held_out"):
            yield f"== {half} =="
            for purpose in ("photo", "any", "receipt"):
                rows = [r for r in self.verdicts.get(half, []) if r[1] == purpose]
                if rows:
                    accuracy = self.verdict_accuracy(half, purpose)
                    yield f"verdict[{purpose}]: {accuracy:.0%} of {len(rows)}"
            yield f"verdict (all): {self.verdict_accuracy(half):.1%}"
            for file, purpose, expected, got in self.verdicts.get(half, []):
                if expected != got:
                    yield f"   wrong: {file} [{purpose}] expected {expected}, got {got}"
            for degrees, (mean, low) in self.similarity_by_rotation(half).items():
                yield f"OCR similarity at {degrees:3d}°: mean {mean:.3f}, min {low:.3f}"
            for file, degrees, value in self.similarities.get(half, []):
                if value < 0.9:
                    overlap = self.overlaps.get((file, degrees))
                    words = "" if overlap is None else f" (same words in any order {overlap:.3f})"
                    yield f"   low: {file} at {degrees}°: {value:.3f}{words}"
            ordered = self.similarity_by_rotation(half, reading_order=True)
            for degrees, (mean, low) in ordered.items():
                yield (
                    f"OCR similarity at {degrees:3d}° vs truth in reading order: mean {mean:.3f}, "
                    f"min {low:.3f}"
                )
            for file, degrees, value in self.in_reading_order.get(half, []):
                if value < 0.9:
                    yield f"   low (reading order): {file} at {degrees}°: {value:.3f}"
            for degrees, (mean, low) in self.agreement_by_rotation(half).items():
                yield f"turned {degrees:3d}° vs upright text: mean {mean:.3f}, min {low:.3f}"
            yield (
                f"receipt total: {self.total_accuracy(half):.0%} (upright "
                f"{self.total_accuracy(half, upright=True):.0%}; printed total among amounts "
                f"{self.total_among_amounts(half):.0%})"
            )
            yield (
                f"receipt date: {self.date_accuracy(half):.0%} (upright "
                f"{self.date_accuracy(half, upright=True):.0%})"
            )
            for file, degrees, ok, _ in self.totals.get(half, []):
                if not ok:
                    yield f"   total wrong: {file} at {degrees}°"
            for file, degrees, ok in self.dates.get(half, []):
                if not ok:
                    yield f"   date wrong: {file} at {degrees}°"


def jobs_for(items: list[Item], *, rotations: tuple[int, ...] = ROTATIONS) -> list[tuple]:
    jobs: list[tuple[str, int, str]] = []
    for item in items:
        if item.category in ("receipt", "rotated"):
            jobs.append((item.file, 0, "receipt"))
            if item.category == "receipt":  # upright pages: turned here as well
                jobs.extend((item.file, d, "receipt") for d in rotations if d)
        elif item.ground_truth:
            jobs.extend((item.file, d, "receipt") for d in rotations)
        else:
            jobs.append((item.file, 0, "photo"))
            jobs.append((item.file, 0, "any"))
    return jobs


def evaluate(items: list[Item], *, processes: int = 2, rotations=ROTATIONS) -> Report:
    by_file = {item.file: item for item in items}
    jobs = jobs_for(items, rotations=rotations)
    report = Report()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        results = list(pool.map(_analyse, jobs))
    texts = {
        (file, degrees): (analysis.get("ocr") or {}).get("text") or ""
        for file, degrees, _, analysis in results
    }
    for (file, degrees), text in texts.items():
        if degrees and (file, 0) in texts and by_file[file].ground_truth:
            report.agreement.setdefault(by_file[file].half, []).append(
                (file, degrees, similarity(text, texts[(file, 0)]))
            )
    for file, degrees, purpose, analysis in results:
        item = by_file[file]
        half = item.half
        if degrees == 0:
            report.verdicts.setdefault(half, []).append(
                (file, purpose, item.expected, verdict(analysis))
            )
        if item.ground_truth:
            text = (analysis.get("ocr") or {}).get("text") or ""
            value = similarity(text, ground_truth_text(item))
            # A pre-rotated page counts at the rotation it arrived in.
            arrived = re.search(r"_rot(\d+)", file)
            shown = (degrees + int(arrived.group(1))) % 360 if arrived else degrees
            report.similarities.setdefault(half, []).append((file, shown, value))
            report.overlaps[(file, shown)] = word_overlap(text, ground_truth_text(item))
            report.in_reading_order.setdefault(half, []).append(
                (file, shown, similarity(text, reading_order_truth(item)))
            )
        if item.total:
            expected_total = _number(item.total)
            got = total_of(analysis)
            ok = got is not None and abs(got - float(expected_total or 0)) < 0.005
            among = any(abs(a - float(expected_total or 0)) < 0.005 for a in amounts_of(analysis))
            report.totals.setdefault(half, []).append((file, degrees, ok, among))
        if item.date:
            report.dates.setdefault(half, []).append(
                (file, degrees, date_of(analysis) in expected_dates(item.date))
            )
    return report
