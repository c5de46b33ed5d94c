"""The media benchmarks that read text (bench/bench_media.py runs them and reports): OCR
threading on a phone screenshot, the screenshot read end to end, real receipts against
reading all four orientations and against Tesseract alone (HELPDESK_OCR_ENGINE=tesseract,
the route before PP-OCR read camera pictures), and turned receipts against upright ones."""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from bench.media_fixtures import screenshot, tesseract_config, timed

ROOT = Path(__file__).resolve().parent.parent


def bench_ocr_threads() -> dict[str, float]:
    import pytesseract

    image = screenshot()

    def run(limit: str | None) -> float:
        saved = os.environ.pop("OMP_THREAD_LIMIT", None)
        if limit is not None:
            os.environ["OMP_THREAD_LIMIT"] = limit
        try:
            start = time.perf_counter()
            pytesseract.image_to_data(
                image, lang="eng+spa", config=tesseract_config("--oem 1 --psm 3")
            )
            return (time.perf_counter() - start) * 1000
        finally:
            os.environ.pop("OMP_THREAD_LIMIT", None)
            if saved is not None:
                os.environ["OMP_THREAD_LIMIT"] = saved

    run("1")
    single = [run("1") for _ in range(3)]
    default = [run(None) for _ in range(3)]
    return {
        "ocr_single_thread_ms_min": min(single),
        "ocr_default_threads_ms_min": min(default),
        "speedup_single_vs_default": min(default) / min(single),
    }


def bench_screenshot_read() -> dict[str, float]:
    import pytesseract

    from helpdesk.media import analyze

    buffer = io.BytesIO()
    screenshot().save(buffer, "PNG")
    data = buffer.getvalue()

    def ours() -> None:
        assert analyze(data, purpose="screenshot").ocr is not None

    def naive() -> None:
        saved = os.environ.pop("OMP_THREAD_LIMIT", None)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                with contextlib.suppress(pytesseract.TesseractError):
                    pytesseract.image_to_osd(image, config=tesseract_config())
                pytesseract.image_to_data(
                    image, lang="eng+spa", config=tesseract_config("--oem 1 --psm 3")
                )
        finally:
            if saved is not None:
                os.environ["OMP_THREAD_LIMIT"] = saved

    ours()
    ours_ms = timed(ours, 3)
    naive_ms = timed(naive, 3)
    return {
        "screenshot_read_ms_median": statistics.median(ours_ms),
        "naive_osd_then_read_ms_median": statistics.median(naive_ms),
        "ratio_vs_naive": statistics.median(ours_ms) / statistics.median(naive_ms),
    }


def bench_receipts() -> dict[str, float]:
    import pytesseract

    from helpdesk.media import analyze

    folder = ROOT / "tests" / "data" / "media-dev"
    files = sorted(folder.glob("receipt_*.jpg"))[:4] + sorted(folder.glob("rot_*.jpg"))[:2]

    def naive(data: bytes) -> None:
        with Image.open(io.BytesIO(data)) as image:
            grey = image.convert("L")
            best = -1.0
            for degrees in (0, 90, 180, 270):
                words = pytesseract.image_to_data(
                    grey.rotate(degrees, expand=True),
                    lang="eng+spa",
                    config=tesseract_config("--oem 1 --psm 3"),
                    output_type=pytesseract.Output.DICT,
                )
                best = max(best, sum(float(c) for c in words["conf"] if float(c) > 0))

    # each engine's models loaded in this process once, before any file is timed
    for engine in ("auto", "tesseract"):
        with ocr_engine(engine):
            analyze(files[0].read_bytes(), purpose="receipt")
    ours_ms, ours_cpu_ms, tess_ms, tess_cpu_ms, naive_ms = [], [], [], [], []
    for path in files:
        data = path.read_bytes()
        # the product's route (camera pictures to PP-OCR), then Tesseract alone, same file
        routes = (("auto", ours_ms, ours_cpu_ms), ("tesseract", tess_ms, tess_cpu_ms))
        for engine, wall, cpu_ms in routes:
            with ocr_engine(engine):
                start, cpu = time.perf_counter(), time.process_time()
                analyze(data, purpose="receipt")
                wall.append((time.perf_counter() - start) * 1000)
                cpu_ms.append((time.process_time() - cpu) * 1000)  # every thread of ours
        start = time.perf_counter()
        naive(data)  # its CPU is in the tesseract child processes; wall time only
        naive_ms.append((time.perf_counter() - start) * 1000)
    return {
        "receipts": len(files),
        "receipt_ms_median": statistics.median(ours_ms),
        "receipt_cpu_ms_median": statistics.median(ours_cpu_ms),
        "tesseract_only_ms_median": statistics.median(tess_ms),
        "tesseract_only_cpu_ms_median": statistics.median(tess_cpu_ms),
        "ratio_vs_tesseract_only": statistics.median(ours_ms) / statistics.median(tess_ms),
        "cpu_ratio_vs_tesseract_only": (
            statistics.median(ours_cpu_ms) / statistics.median(tess_cpu_ms)
        ),
        "naive_four_orientations_ms_median": statistics.median(naive_ms),
        "ratio_vs_naive": statistics.median(ours_ms) / statistics.median(naive_ms),
    }


@contextlib.contextmanager
def ocr_engine(name: str) -> Iterator[None]:
    """HELPDESK_OCR_ENGINE set to ``name`` (auto: the product's route; tesseract: the old
    one) for the analyses inside."""
    from helpdesk.settings import get_settings

    before = os.environ.get("HELPDESK_OCR_ENGINE")
    os.environ["HELPDESK_OCR_ENGINE"] = name
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HELPDESK_OCR_ENGINE", None)
        else:
            os.environ["HELPDESK_OCR_ENGINE"] = before
        get_settings.cache_clear()


def bench_rotation() -> dict[str, float]:
    """Pages turned by a quarter or half turn against the same pages upright, in the same
    run: what reading text at any rotation costs on top of reading it. Goal: <= 2x."""
    from helpdesk.media import analyze
    from tests.helpdesk.media.real_media import DEV_SET, load_items, similarity, turned

    items = [i for i in load_items() if i.category == "receipt"][:4]
    upright_ms: list[float] = []
    turned_ms: list[float] = []
    agreement: list[float] = []
    for item in items:
        start = time.perf_counter()
        upright = analyze(turned(DEV_SET / item.file, 0), purpose="receipt")
        upright_ms.append((time.perf_counter() - start) * 1000)
        for degrees in (90, 180, 270):
            data = turned(DEV_SET / item.file, degrees)
            start = time.perf_counter()
            result = analyze(data, purpose="receipt")
            turned_ms.append((time.perf_counter() - start) * 1000)
            agreement.append(
                similarity(
                    result.ocr.text if result.ocr else "", upright.ocr.text if upright.ocr else ""
                )
            )
    return {
        "pages": len(items),
        "upright_ms_median": statistics.median(upright_ms),
        "turned_ms_median": statistics.median(turned_ms),
        "ratio_turned_vs_upright": statistics.median(turned_ms) / statistics.median(upright_ms),
        "turned_text_same_as_upright_min": min(agreement),
    }
