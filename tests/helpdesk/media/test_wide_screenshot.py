"""A low, wide screenshot (a bank statement excerpt, 957x307 px as in issue 12) is read, not
refused as too small, as it arrives and turned sideways. The picture is synthetic with
real text (tests/data/media-synthetic/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.media import analyze
from tests.helpdesk.media.real_media import similarity, turned

SHOT = (
    Path(__file__).resolve().parents[2] / "data" / "media-synthetic" / "bank_statement_957x307.png"
)


@pytest.mark.parametrize(
    ("purpose", "degrees"), [("screenshot", 0), ("receipt", 0), ("screenshot", 90)]
)
def test_a_wide_bank_statement_screenshot_is_accepted_and_read(purpose: str, degrees: int) -> None:
    result = analyze(turned(SHOT, degrees), purpose=purpose).to_dict()
    codes = [p["code"] for p in result["problems"]]
    assert "low_resolution" not in codes
    assert result["accepted"], codes
    truth = SHOT.with_name(SHOT.name + ".gt.txt").read_text(encoding="utf-8")
    assert similarity(result["ocr"]["text"], truth) >= 0.95
    dates = {f["value"] for f in result["fields"] if f["type"] == "date"}
    assert {"2017-12-28", "2019-01-12", "2018-03-01"} <= dates
