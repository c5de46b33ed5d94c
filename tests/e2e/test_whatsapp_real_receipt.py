"""The payment flow on real receipts over WhatsApp: the sandbox plays the customer's phone
and Meta, the real assistant reads a real till receipt (tests/data/media-dev, SROIE,
CC-BY-4.0), says back the total, the shop and the date in the customer's language, lets
a "no" be typed instead, and puts what was confirmed on the case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "media-dev"


def _read_back(stack: WhatsAppStack, customer: str, turns: tuple[str, str, str, str]) -> str:
    """Open the payment flow, send the receipt when it is asked for; all the customer read
    once the bot has said back what it read. ``turns``: (opening, words of the request,
    receipt file, words of the question)."""
    opening, request, file, question = turns
    stack.say(customer, text=opening)
    stack.wait_for_text(customer, request)
    stack.send_file(customer, (DEV_SET / file).read_bytes(), "image/jpeg", "receipt.jpg")
    return stack.wait_for_text(customer, question)


def _summary(stack: WhatsAppStack, customer: str, label: str) -> str:
    return next(text for text in stack.reply_texts(customer) if label in text)


def test_english_the_total_shop_and_date_read_from_a_real_receipt_are_confirmed(
    whatsapp_product: WhatsAppStack,
) -> None:
    stack, customer = whatsapp_product, "15550007001"
    said = _read_back(
        stack,
        customer,
        (
            "my payment failed but the money left my account",
            "screenshot of the payment",
            "receipt_sroie_train_610.jpg",
            "is that the payment?",
        ),
    )
    assert "I can see RM 85.20 paid at GHEE HIANG on 20/06/2018 — is that the payment?" in said
    stack.tap(customer, "Yes")
    stack.wait_for_text(customer, "transaction or reference number")
    stack.tap(customer, "Skip")  # the slip prints no transaction id
    stack.wait_for_text(customer, "I have everything I need")
    summary = _summary(stack, customer, "• Payment:")
    assert "• Payment: RM 85.20 · GHEE HIANG · 2018-06-20" in summary
    assert "• Transaction id: skipped" in summary
    # what was confirmed is not listed again as read ("Total paid 85.20; Amount 85.20")
    assert summary.count("85.20") == 1


def test_spanish_a_no_lets_the_customer_type_the_payment_and_that_goes_on_the_case(
    whatsapp_product: WhatsAppStack,
) -> None:
    stack, customer = whatsapp_product, "34600117002"
    said = _read_back(
        stack,
        customer,
        (
            "mi pago falló pero me quitaron el dinero",
            "captura de pantalla del pago",
            "receipt_sroie_train_002.jpg",
            "¿Es ese el pago?",
        ),
    )
    assert (
        "Veo un pago de RM 33.90 en MR D.I.Y. (JOHOR) SDN BHD el 12/01/2019. ¿Es ese el pago?"
        in said
    )
    stack.tap(customer, "No, lo escribo yo")
    stack.wait_for_text(customer, "Escríbeme el importe, la fecha y el comercio")
    stack.say(customer, text="RM 35.90 en MR DIY el 12/01/2019")
    stack.wait_for_text(customer, "Escríbeme el número de transacción")
    stack.tap(customer, "Omitir")
    stack.wait_for_text(customer, "ya tengo todo lo necesario")
    summary = _summary(stack, customer, "• Pago:")
    assert "• Pago: RM 35.90 en MR DIY el 12/01/2019" in summary
    assert "• Id de transacción: omitido" in summary
    assert "33.90" not in summary  # the total read, which the customer corrected
    assert "Código de error" not in summary  # the slip's item codes are not errors
