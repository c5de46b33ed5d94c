"""Triage on what ``helpdesk.media.analyze`` really reads from generated pictures: error
codes on a screenshot, a failed UPI receipt, a rating label's model and barcode, and a
washing-machine display. Each picture is analysed once for the module (Tesseract is slow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpdesk.kb import load
from helpdesk.media import analyze
from helpdesk.settings import PROJECT_ROOT
from helpdesk.triage import next_fix, triage
from tests.helpdesk.triage.images import ean13, label, screenshot

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def kb():
    return load(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def windows_shot() -> dict[str, Any]:
    data = screenshot(
        "Windows Update",
        [
            "There were problems installing some updates.",
            "2024-05 Cumulative Update for Windows 11",
            "Install error - 0x80070005",
            "Access is denied.",
        ],
    )
    return analyze(data, purpose="screenshot").to_dict()


@pytest.fixture(scope="module")
def upi_receipt() -> dict[str, Any]:
    data = screenshot(
        "Pago UPI",
        ["Pago fallido", "UPI Ref No: 412345678901", "Motivo: U30 - Debit has failed",
         "12/05/2024 10:42"],
    )  # fmt: skip
    return analyze(data, purpose="receipt", language="es").to_dict()


@pytest.fixture(scope="module")
def rating_label() -> dict[str, Any]:
    data = label(
        ["WASHING MACHINE", "Model: WF45T6000AW", "S/N: 0A1B2C3D4E5F", "220-240V 50Hz 2000W"],
        barcode=ean13("880609075123"),
    )
    return analyze(data, purpose="label").to_dict()


@pytest.fixture(scope="module")
def washer_display() -> dict[str, Any]:
    return analyze(label(["UE"]), purpose="label").to_dict()


def from_media(analysis: dict[str, Any], **kwargs: Any):
    return triage(fields=analysis["fields"], ocr_text=analysis["ocr"]["text"], **kwargs)


def test_screenshot_error_code_leads_to_the_fix_and_says_so(kb, windows_shot) -> None:
    result = from_media(windows_shot, text="it won't update", kb=kb, purpose="screenshot")
    assert result.category == "report_software_error"
    assert result.best.id == "win-access-denied-0x80070005"
    assert result.explain("en").startswith("I can see error 0x80070005 on your screenshot.")
    assert result.explain("es").startswith("Veo el error 0x80070005 en tu captura.")
    # The code and the "Access is denied." sentence are two pieces of evidence.
    assert {r.rule for r in result.best.reasons} == {"error_codes", "text_patterns"}
    assert result.confidence > 0.8 and not result.escalate
    entry = next_fix(result, tried=[], kb=kb)
    assert entry.id == "win-access-denied-0x80070005"
    assert entry.fix.steps("es")[0].startswith("Inicia sesión en Windows")


def test_failed_upi_receipt_in_spanish(kb, upi_receipt) -> None:
    result = from_media(
        upi_receipt, text="no se hizo el pago", category_hint="report_payment_problem",
        language="es", kb=kb, purpose="receipt",
    )  # fmt: skip
    assert result.best.id == "upi-u30-debit-failed"
    assert result.explain().startswith("Veo el error U30 en tu recibo.")
    assert any(f["type"] == "transaction_id" for f in result.fields)


def test_failed_receipt_plus_money_taken_finds_the_reversal_entry(kb, upi_receipt) -> None:
    result = from_media(
        upi_receipt, text="the money was deducted", category_hint="report_payment_problem",
        kb=kb, purpose="receipt",
    )  # fmt: skip
    assert {"upi-u30-debit-failed", "payment-debited-but-failed"} <= {m.id for m in result.matches}
    reversal = next(m for m in result.matches if m.id == "payment-debited-but-failed")
    assert "The payment shows as failed on your receipt" in reversal.explain("en")


def test_washer_display_with_a_bare_code(kb, washer_display) -> None:
    # "UE" alone would be too ambiguous in a message; a display shows nothing else.
    result = from_media(
        washer_display, text="la lavadora muestra esto", language="es", kb=kb, purpose="label"
    )
    assert result.category == "report_appliance_fault"
    assert result.best.id == "washer-unbalanced-ue"


MODEL_KB = """\
categories:
{categories}
entries:
  - id: wf45-pump
    category: report_appliance_fault
    title: {{en: WF45 drain pump, es: Bomba WF45}}
    match:
      customer_words: ["won't drain"]
      model_families: ["WF45*"]
      barcode_prefixes: ["880"]
    severity: medium
    queue: field_service
    fix: {{en: [Clean the pump.], es: [Limpia la bomba.]}}
    follow_up: {{en: "Better?", es: "¿Mejor?"}}
  - id: ww90-pump
    category: report_appliance_fault
    title: {{en: WW90 drain pump, es: Bomba WW90}}
    match:
      customer_words: ["won't drain"]
      model_families: ["WW90"]
    severity: medium
    queue: field_service
    fix: {{en: [Other steps.], es: [Otros pasos.]}}
    follow_up: {{en: "Better?", es: "¿Mejor?"}}
"""


def test_model_family_and_barcode_on_a_label_pick_the_right_machine(
    tmp_path: Path, rating_label
) -> None:
    from helpdesk.conversation import USE_CASE_INTENTS

    categories = "".join(
        f"  {name}:\n    title: {{en: x, es: x}}\n    queue: q\n    severity: low\n"
        f"    words: [washer]\n"
        for name in USE_CASE_INTENTS
    )
    (tmp_path / "kb.yml").write_text(MODEL_KB.format(categories=categories), encoding="utf-8")
    kb = load(tmp_path)
    words_only = triage(text="my washer won't drain", kb=kb)
    assert sorted(m.id for m in words_only.matches) == ["wf45-pump", "ww90-pump"]
    result = from_media(rating_label, text="my washer won't drain", kb=kb, purpose="label")
    # The label shows a WF45: that entry gains, the WW90 one is contradicted and drops out.
    assert [m.id for m in result.matches] == ["wf45-pump"]
    best = result.best
    assert {r.rule for r in best.reasons} == {"customer_words", "model_numbers", "barcode_prefixes"}
    assert "The label shows model WF45T6000AW" in best.explain("en")
    assert "El código de barras de la etiqueta es 8806090751233" in best.explain("es")
    assert best.score > words_only.best.score
