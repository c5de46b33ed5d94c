"""OCR on generated photos and screenshots (real Tesseract): text, fields and codes."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image

from helpdesk.media import analyze

LABEL = ["MODEL NO: WM-8000X", "S/N: SN12345-ABC", "ERROR E-1042", "220-240V 50Hz 2000W"]


def _fields(result) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    found: dict[str, list[str]] = {}
    for item in result.fields:
        found.setdefault(item.type, []).append(item.value)
    return found


@pytest.mark.parametrize(
    "font_name", ["DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"]
)
def test_a_photographed_label_is_read_in_several_fonts(
    font_name: str, make_text: Callable[..., Image.Image], make_photo: Callable[..., bytes]
) -> None:
    result = analyze(make_photo(make_text(LABEL, font_name=font_name)), purpose="label")
    assert result.accepted, result.problems
    assert "SN12345-ABC" in result.ocr.text
    assert result.ocr.language == "en"
    assert result.ocr.confidence > 0.7
    fields = _fields(result)
    assert fields["serial_number"] == ["SN12345-ABC"]
    assert fields["model_number"] == ["WM-8000X"]
    assert fields["error_code"] == ["E-1042"]
    serial = next(f for f in result.fields if f.type == "serial_number")
    # a photo is read by PP-OCR (helpdesk/media/ppocr.py; Tesseract before it)
    assert serial.where["source"] == "ppocr"
    # Where it is in the customer's photo (1600x1200): the second line, drawn at y≈180.
    x, y, w, h = serial.where["box"]
    assert 100 < y < 300 and h < 120 and 0 < x < x + w <= 1600


def test_a_spanish_receipt_gives_amounts_date_order_and_status(
    make_text: Callable[..., Image.Image], make_photo: Callable[..., bytes]
) -> None:
    lines = [
        "SUPERMERCADO EL SOL",
        "Fecha: 15/03/2024",
        "Nº de pedido: 987654",
        "TOTAL 24,23 €",
        "Importe: 1.234,56 EUR",
        "Estado: pago rechazado",
    ]
    receipt = make_text(lines, size=(1200, 1600), font_name="DejaVuSans.ttf", font_size=44)
    result = analyze(make_photo(receipt), purpose="receipt", language="es")
    assert result.accepted, result.problems
    assert result.ocr.language == "es"
    fields = _fields(result)
    assert fields["date"] == ["2024-03-15"]
    assert fields["order_number"] == ["987654"]
    assert fields["amount"] == ["24.23 EUR", "1234.56 EUR"]
    assert fields["payment_status"] == ["failed"]


def test_a_payment_screenshot_is_read_and_the_card_number_masked(
    make_text: Callable[..., Image.Image],
) -> None:
    import io

    screen = make_text(
        [
            "Payment failed",
            "Transaction ID: TXN8A23F90B12",
            "Amount: $1,234.56",
            "Card 4111 1111 1111 1111",
            "March 5, 2024",
        ],
        size=(1080, 1920),
        background=(255, 255, 255),
        ink=(30, 30, 30),
        font_name="DejaVuSans.ttf",
        font_size=44,
    )
    buffer = io.BytesIO()
    screen.save(buffer, "JPEG", quality=85)  # WhatsApp sends screenshots as JPEG
    result = analyze(buffer.getvalue(), purpose="screenshot")
    assert result.accepted and result.problems == []
    fields = _fields(result)
    assert fields["payment_status"] == ["failed"]
    assert fields["transaction_id"] == ["TXN8A23F90B12"]
    assert fields["amount"] == ["1234.56 USD"]
    assert fields["date"] == ["2024-03-05"]
    assert fields["card_number_masked"] == ["**** **** **** 1111"]
    as_json = str(result.to_dict())
    assert "4111 1111" not in as_json and "4111111111111111" not in as_json


def test_a_sideways_label_is_turned_and_read(
    make_text: Callable[..., Image.Image], make_photo: Callable[..., bytes]
) -> None:
    result = analyze(make_photo(make_text(LABEL), rotate=90), purpose="label")
    assert result.accepted, result.problems
    assert result.metrics["ocr_rotation"] == 270  # turned back
    assert {p.code: p.severity for p in result.problems} == {"rotated": "info"}
    assert _fields(result)["serial_number"] == ["SN12345-ABC"]
    serial = next(f for f in result.fields if f.type == "serial_number")
    x, y, w, h = serial.where["box"]
    assert h > w  # the line runs down the sideways photo (1200x1600)...
    assert 900 < x < 1100 and 0 <= y < y + h <= 1600  # ...near its right edge


def test_a_label_photo_without_text_is_refused_with_advice(scene_jpeg: bytes) -> None:
    result = analyze(scene_jpeg, purpose="label")
    assert not result.accepted
    assert result.reason == "no_text"
    assert "get closer" in result.problems[0].message


def test_a_qr_code_on_a_label_is_a_barcode_field(
    make_text: Callable[..., Image.Image], make_photo: Callable[..., bytes]
) -> None:
    code = cv2.QRCodeEncoder.create().encode("SN:SN12345-ABC")
    module = cv2.resize(code, None, fx=12, fy=12, interpolation=cv2.INTER_NEAREST)
    label = make_text(LABEL[:2])
    label.paste(
        Image.fromarray(np.pad(module, 24, constant_values=255)).convert("RGB"), (1000, 500)
    )
    result = analyze(make_photo(label), purpose="label")
    assert [b.to_dict() for b in result.barcodes] == [
        {"format": "QRCODE", "value": "SN:SN12345-ABC"}
    ]
    assert _fields(result)["barcode"] == ["SN:SN12345-ABC"]


def test_a_short_error_dialog_screenshot_is_not_too_bright(
    make_text: Callable[..., Image.Image],
) -> None:
    import io

    dialog = make_text(
        ["Windows Update", "Error 0x80070005"],
        size=(1080, 1920),
        background=(255, 255, 255),
        font_name="DejaVuSans.ttf",
        font_size=44,
    )
    buffer = io.BytesIO()
    dialog.save(buffer, "JPEG", quality=75)
    result = analyze(buffer.getvalue(), purpose="screenshot")
    assert result.accepted and result.problems == [], result.problems
    assert _fields(result)["error_code"] == ["0x80070005"]


def test_small_print_in_a_low_quality_jpeg_is_still_read(
    make_text: Callable[..., Image.Image], make_photo: Callable[..., bytes]
) -> None:
    # 22-px serif text on a 1600-px photo: re-scaled for Tesseract after a first pass.
    label = make_text(LABEL, font_name="DejaVuSerif.ttf", font_size=22)
    result = analyze(make_photo(label, noise=4.0, quality=70, perspective=0.05), purpose="label")
    assert result.accepted, result.problems
    assert _fields(result)["serial_number"] == ["SN12345-ABC"]


def test_a_spanish_banking_screenshot(make_text: Callable[..., Image.Image]) -> None:
    import io

    screen = make_text(
        [
            "Pago fallido",
            "ID de transacción: 7781234501",
            "Importe: 24,23 €",
            "14 ene. 2025",
            "Tarjeta terminada en 4242",
        ],
        size=(1080, 1920),
        background=(250, 250, 250),
        ink=(20, 20, 20),
        font_name="DejaVuSans.ttf",
        font_size=44,
    )
    buffer = io.BytesIO()
    screen.save(buffer, "PNG")
    result = analyze(buffer.getvalue(), purpose="screenshot", language="es")
    assert result.accepted, result.problems
    assert result.ocr.language == "es"
    fields = _fields(result)
    assert fields["payment_status"] == ["failed"]
    assert fields["transaction_id"] == ["7781234501"]
    assert fields["amount"] == ["24.23 EUR"]
    assert fields["date"] == ["2025-01-14"]
    assert fields["card_number_masked"] == ["**** 4242"]


def test_small_print_is_scaled_up_only_as_far_as_the_pixel_cap() -> None:
    from helpdesk.media.tesseract import UPSCALE_MAX_PIXELS, letter_scale

    # A narrow receipt (the dev set's 000, 463x1013) gets its whole upscale: it is cheap,
    # and thermal print reads better for it.
    assert letter_scale(np.zeros((1013, 463), np.uint8), 2.27) == 2.27
    # A full page of small print (1236x1600) grows only to the cap, not to 4x its pixels.
    page = np.zeros((1600, 1236), np.uint8)
    factor = letter_scale(page, 2.08)
    assert 1.0 < factor < 1.3 and page.size * factor**2 <= UPSCALE_MAX_PIXELS * 1.001
    # Past the cap already: read as it is, never shrunk by an upscale; reductions stay.
    assert letter_scale(np.zeros((3000, 4000), np.uint8), 2.0) == 1.0
    assert letter_scale(page, 0.5) == 0.5
