"""``helpdesk analyze``: what an operator sees for good, bad and unreadable files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpdesk.cli import main

KEYS = {
    "file",
    "kind",
    "mime",
    "accepted",
    "problems",
    "metrics",
    "ocr",
    "fields",
    "barcodes",
    "authenticity",
    "timings_ms",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("analyze")
    rng = np.random.default_rng(2)
    pixels = rng.normal(120, 30, (900, 1200, 3)).clip(0, 255).astype(np.uint8)
    good = Image.fromarray(pixels)
    ImageDraw.Draw(good).rectangle((300, 200, 900, 700), fill=(30, 40, 50))
    paths = {
        "good": folder / "good.jpg",
        "dark": folder / "dark.jpg",
        "fake": folder / "not-a-photo.jpg",
    }
    good.save(paths["good"], quality=90)
    Image.fromarray((pixels * 0.12).astype(np.uint8)).save(paths["dark"], quality=90)
    paths["fake"].write_text("<html>this is not a photo</html>")
    return paths


def test_json_has_one_object_per_file_with_the_documented_keys(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["analyze", str(files["good"]), str(files["dark"]), str(files["fake"]), "--json"])
    assert code == 0  # refused files are results, not errors
    results = json.loads(capsys.readouterr().out)
    assert [Path(r["file"]).name for r in results] == ["good.jpg", "dark.jpg", "not-a-photo.jpg"]
    for result in results:
        assert set(result) == KEYS
        for problem in result["problems"]:
            assert set(problem) == {"code", "severity", "message"}
    good, dark, fake = results
    assert good["accepted"] is True and good["kind"] == "image" and good["mime"] == "image/jpeg"
    assert good["ocr"] is None and good["metrics"]["width"] == 1200
    assert dark["accepted"] is False and dark["problems"][0]["code"] == "too_dark"
    assert fake["accepted"] is False and fake["kind"] is None
    assert fake["problems"][0]["code"] == "unsupported_type"


def test_summary_is_readable_and_in_the_chosen_language(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["analyze", str(files["dark"]), "--language", "es", "--jobs", "1"])
    assert code == 0
    out = capsys.readouterr().out
    assert "dark.jpg: REFUSED (image image/jpeg)" in out
    assert "too_dark: La foto está demasiado oscura" in out


def test_a_missing_file_is_an_error_exit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "/nonexistent/photo.jpg"]) == 2
    assert "cannot read" in capsys.readouterr().out


def test_receipt_text_and_fields_from_the_installed_command(tmp_path: Path) -> None:
    page = Image.new("RGB", (1000, 700), "white")
    draw = ImageDraw.Draw(page)
    from PIL import ImageFont

    font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    face = (
        ImageFont.truetype(font_path, 40)
        if os.path.exists(font_path)
        else ImageFont.load_default(size=40)
    )
    for index, line in enumerate(["Transaction ID: TXN8A23F90B12", "Total: $1,234.56"]):
        draw.text((60, 80 + index * 80), line, fill="black", font=face)
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    path = tmp_path / "receipt.png"
    path.write_bytes(buffer.getvalue())
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpdesk.cli",
            "analyze",
            str(path),
            "--purpose",
            "receipt",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    [result] = json.loads(run.stdout)
    assert result["accepted"] is True
    assert {"type": "transaction_id", "value": "TXN8A23F90B12"}.items() <= next(
        f for f in result["fields"] if f["type"] == "transaction_id"
    ).items()
    assert "1234.56 USD" in [f["value"] for f in result["fields"] if f["type"] == "amount"]
