"""``helpdesk analyze FILE… [--purpose …] [--json]``: what the bot would say about files.

Exits 0 whenever it could look at the files, refused ones included (a refused file is a
result). Exits 2 only when a file cannot be read from disk at all. Several files are
analysed in parallel, one process per core (Tesseract runs single-threaded in each), with a
progress bar on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from helpdesk.media import analyze

PURPOSE_CHOICES = ("photo", "label", "screenshot", "receipt", "video")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="check photos, screenshots, receipts, PDFs and videos as the bot would",
        description="Quality verdict, OCR text, fields and barcodes for each file.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="photos, videos, PDFs, ...")
    parser.add_argument(
        "--purpose",
        choices=PURPOSE_CHOICES,
        default="photo",
        help="what the file should show: photo (damage or item, default), label (serial or "
        "model plate), screenshot, receipt (photo or PDF), video",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON array")
    parser.add_argument(
        "--language", choices=("en", "es"), default="en", help="language of the advice"
    )
    parser.add_argument(
        "--jobs", type=int, default=0, help="parallel processes (default: one per core)"
    )
    parser.set_defaults(func=_run)


def analyze_file(path: str, purpose: str, language: str) -> dict[str, Any]:
    """One file's result object (module-level so a process pool can call it)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return {"file": path, "error": f"cannot read: {error.strerror or error}"}
    return {"file": path, **analyze(data, purpose=purpose, language=language).to_dict()}


def _worker_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _run(args: argparse.Namespace) -> int:
    results = _analyze_all(args.files, args.purpose, args.language, args.jobs or os.cpu_count())
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for result in results:
            print(_summary(result))
    return 2 if any("error" in r for r in results) else 0


def _analyze_all(files: list[str], purpose: str, language: str, jobs: int) -> list[dict]:
    from tqdm import tqdm

    # One file needs no bar; otherwise tqdm shows it on a terminal only (disable=None).
    bar = tqdm(
        total=len(files), unit="file", disable=True if len(files) < 2 else None, file=sys.stderr
    )
    try:
        if jobs <= 1 or len(files) < 2:
            results = []
            for path in files:
                results.append(analyze_file(path, purpose, language))
                bar.update()
            return results

        with ProcessPoolExecutor(
            max_workers=min(jobs, len(files)), initializer=_worker_init
        ) as pool:
            futures = [pool.submit(analyze_file, path, purpose, language) for path in files]
            for future in futures:
                future.add_done_callback(lambda _: bar.update())
            return [future.result() for future in futures]
    finally:
        bar.close()


def _summary(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"{result['file']}: {result['error']}"
    verdict = "accepted" if result["accepted"] else "REFUSED"
    kind = f"{result['kind']} {result['mime']}" if result["kind"] else "unknown type"
    lines = [f"{result['file']}: {verdict} ({kind})"]
    for problem in result["problems"]:
        lines.append(f"  - {problem['severity']}: {problem['code']}: {problem['message']}")
    metrics = result["metrics"]
    if "width" in metrics:
        lines.append(
            f"  size {metrics['width']}x{metrics['height']}, brightness "
            f"{metrics['brightness']}, blur {metrics['blur_px']} px, glare "
            f"{metrics['glare_fraction']}"
        )
    if "duration_s" in metrics:
        lines.append(f"  video {metrics['duration_s']} s, {metrics['frame_count']} frames")
    if "pages" in metrics:
        lines.append(f"  pdf {metrics['pages']} page(s), text layer: {metrics['text_layer']}")
    ocr = result["ocr"]
    if ocr and ocr["text"]:
        text = ocr["text"].replace("\n", " / ")
        short = text if len(text) <= 160 else text[:157] + "..."
        lines.append(f"  text ({ocr['language'] or '?'}, {ocr['confidence']:.0%}): {short}")
    for item in result["fields"]:
        lines.append(f"  {item['type']}: {item['value']} ({item['confidence']:.0%})")
    return "\n".join(lines)
