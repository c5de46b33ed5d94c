"""Capture flows over WhatsApp: the sandbox plays the customer's phone and Meta, the real
assistant answers (WhatsApp channel, trained model, action server, real analysis)."""

from __future__ import annotations

import pytest

from tests.helpdesk.capture.images import product_photo, receipt_screenshot
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e


def test_damaged_product_in_spanish_dark_photo_then_good_one(
    whatsapp_product: WhatsAppStack,
) -> None:
    stack, customer = whatsapp_product, "34600111222"
    stack.say(customer, text="hola, me llegó la lámpara rota")
    example = stack.wait_for(
        lambda: [r for r in stack.replies(customer) if r["payload"]["type"] == "image"],
        timeout=90,
        what="the example picture",
    )[0]["payload"]["image"]
    assert "foto del daño" in example["caption"]  # the picture carries the instructions
    assert example.get("id")  # uploaded to the media endpoint, not linked

    stack.send_file(customer, product_photo(brightness=0.07), "image/jpeg", "oscura.jpg")
    refused = stack.wait_for_text(customer, "No puedo usar esta todavía")
    assert "luz" in refused.lower()

    stack.send_file(customer, product_photo(), "image/jpeg", "buena.jpg")
    stack.wait_for_text(customer, "Se ve bien")
    stack.wait_for_text(customer, "etiqueta")
    stack.tap(customer, "Omitir")
    summary = stack.wait_for_text(customer, "Foto del daño: recibida")
    assert "Foto de la etiqueta: omitido" in summary


def test_payment_receipt_in_english_amount_read_and_transaction_confirmed(
    whatsapp_product: WhatsAppStack,
) -> None:
    stack, customer = whatsapp_product, "15550009999"
    stack.say(customer, text="my card payment failed but I was charged")
    stack.wait_for_text(customer, "screenshot of the payment")
    stack.send_file(customer, receipt_screenshot("841277630921"), "image/png", "receipt.png")
    # What was read is said back first (amount, date), to confirm.
    readback = stack.wait_for_text(customer, "is that the payment?")
    assert "49.90" in readback
    stack.tap(customer, "Yes")
    stack.wait_for_text(customer, "transaction id 841277630921")
    stack.tap(customer, "Yes")
    summary = stack.wait_for_text(customer, "Transaction id: 841277630921")
    assert "49.90" in summary
