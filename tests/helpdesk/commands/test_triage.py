"""``helpdesk triage``: the same triage as in a conversation, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpdesk.cli import main
from tests.helpdesk.triage.images import screenshot

KEYS = {"category", "queue", "severity", "priority", "confidence", "fields", "matches"}


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["triage", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_text_only_json(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(["--text", "la lavadora marca E21 y no desagua", "--language", "es"], capsys)
    assert set(out) == KEYS
    assert out["category"] == "report_appliance_fault"
    assert out["queue"] == "field_service" and out["priority"] == "P3"
    assert out["matches"][0]["id"] == "washer-drain-e21-oe"
    assert set(out["matches"][0]) == {"id", "reason"}
    assert "matches error_codes 'E21'" in out["matches"][0]["reason"]
    assert out["fields"] == []  # fields are what pictures showed


def test_screenshot_json_gives_the_fields_and_the_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "error.png"
    image.write_bytes(
        screenshot("Microsoft Store", ["Something happened on our end.", "Code: 0x80070057",
                                       "The parameter is incorrect."])
    )  # fmt: skip
    out = run_json(["--text", "can't install", "--image", str(image), "--purpose",
                    "screenshot"], capsys)  # fmt: skip
    assert out["category"] == "report_software_error"
    assert out["matches"][0]["id"] == "win-invalid-parameter-0x80070057"
    assert "read on the screenshot" in out["matches"][0]["reason"]
    codes = [f for f in out["fields"] if f["type"] == "error_code"]
    assert codes and codes[0]["value"].upper().endswith("80070057")
    assert {"type", "value", "confidence", "raw", "where"} <= set(codes[0])


def test_unknown_code_shows_the_handoff_queue(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(["--text", "error 0x8badf00d", "--category", "report_software_error"], capsys)
    assert out["matches"] == [] and out["queue"] == "software"
    assert main(["triage", "--text", "error 0x8badf00d", "--category",
                 "report_software_error"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "matches:    none" in text and "escalate:   yes" in text


def test_text_report_shows_reasons_and_the_first_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "--text", "Windows error 0x80070005 again"]) == 0
    out = capsys.readouterr().out
    assert "category:   report_software_error" in out and "priority:   P3" in out
    assert "1. win-access-denied-0x80070005" in out
    assert "customer: You mentioned error 0x80070005." in out
    assert "first fix (win-access-denied-0x80070005):" in out and "\n1. Sign in" in out


def test_safety_case_prints_the_advice_and_the_handoff(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "--text", "huele a quemado", "--language", "es"]) == 0
    out = capsys.readouterr().out
    assert "queue:      safety" in out and "priority:   P1" in out
    assert "advice sent while a person takes over:" in out and "Apaga el aparato" in out


def test_bad_input_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage"]) == 2
    assert "give --text, --image or both" in capsys.readouterr().err
    assert main(["triage", "--text", "x", "--image", str(tmp_path / "missing.png")]) == 2
    assert "cannot read" in capsys.readouterr().err
