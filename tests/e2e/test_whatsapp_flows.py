"""Capture flows over WhatsApp: the sandbox plays the customer's phone and Meta, the real
assistant answers (WhatsApp channel, trained model, action server, real analysis)."""

from __future__ import annotations

import pytest

from tests.helpdesk.capture.images import product_photo, receipt_screenshot
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e


def _texts(stack: WhatsAppStack, customer: str) -> str:
    """Everything the customer read: texts, interactive bodies and picture captions."""
    captions = [
        reply["payload"]["image"].get("caption", "")
        for reply in stack.replies(customer)
        if reply["payload"]["type"] == "image"
    ]
    return "\n".join([*stack.reply_texts(customer), *captions])


def _wait_text(stack: WhatsAppStack, customer: str, needle: str, timeout: float = 90) -> str:
    return stack.wait_for(
        lambda: needle in _texts(stack, customer) and _texts(stack, customer),
        timeout=timeout,
        what=f"a reply containing {needle!r}",
    )


def _button_id(stack: WhatsAppStack, customer: str, title: str) -> str:
    for reply in reversed(stack.replies(customer)):
        interactive = reply["payload"].get("interactive") or {}
        for button in (interactive.get("action") or {}).get("buttons", []):
            if button["reply"]["title"] == title:
                return button["reply"]["id"]
    raise AssertionError(f"no button {title!r} was sent")


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
    refused = _wait_text(stack, customer, "No puedo usar esta todavía")
    assert "luz" in refused.lower()

    stack.send_file(customer, product_photo(), "image/jpeg", "buena.jpg")
    _wait_text(stack, customer, "Se ve bien")
    _wait_text(stack, customer, "etiqueta")
    stack.say(customer, button_reply={"id": _button_id(stack, customer, "Omitir")})
    summary = _wait_text(stack, customer, "Foto del daño: recibida")
    assert "Foto de la etiqueta: omitido" in summary


def test_payment_receipt_in_english_amount_read_and_transaction_confirmed(
    whatsapp_product: WhatsAppStack,
) -> None:
    stack, customer = whatsapp_product, "15550009999"
    stack.say(customer, text="my card payment failed but I was charged")
    _wait_text(stack, customer, "screenshot of the payment")
    stack.send_file(customer, receipt_screenshot("841277630921"), "image/png", "receipt.png")
    _wait_text(stack, customer, "transaction id 841277630921")
    stack.say(customer, button_reply={"id": _button_id(stack, customer, "Yes")})
    summary = _wait_text(stack, customer, "Transaction id: 841277630921")
    assert "49.90" in summary
