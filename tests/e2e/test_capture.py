"""Capture flows end to end: real Rasa, real action server, real analysis of real images.

Media reach the assistant as the WhatsApp channel delivers them: stored (encrypted) and
recorded first, then ``/media_shared`` with the record in the message metadata (the REST
channel passes metadata through, so these tests need no WhatsApp).
"""

from __future__ import annotations

import pytest

from helpdesk.db import session_scope
from helpdesk.media.records import get_media
from tests.helpdesk.capture.images import product_photo, receipt_screenshot

pytestmark = pytest.mark.e2e


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def test_spanish_payment_receipt_is_read_and_the_transaction_id_confirmed(
    assistant, deliver_media
) -> None:
    sender = "e2e-capture-pay-es"
    first = assistant.say(sender, "mi pago falló y me cobraron dos veces")
    assert "captura de pantalla del pago" in _texts(first)
    assert any(reply.get("image", "").endswith("payment_receipt.png") for reply in first)

    media_id, replies = deliver_media(sender, receipt_screenshot(transaction_id="841277630921"))
    # What was read is said back first, to confirm: amount, date (and shop when printed).
    assert "Veo un pago fallido de $49.90 el 12/03/2024. ¿Es ese el pago?" in _texts(replies)
    assert [b["payload"] for r in replies for b in r.get("buttons", [])] == ["/affirm", "/deny"]

    replies = assistant.say(sender, "/affirm")
    text = _texts(replies)
    assert "leo el número de transacción 841277630921" in text
    assert [b["payload"] for r in replies for b in r.get("buttons", [])] == ["/affirm", "/deny"]

    summary = _texts(assistant.say(sender, "/affirm"))
    assert "Pago: $49.90 · 2024-12-03" in summary
    assert "Id de transacción: 841277630921" in summary
    assert "49.90" in summary
    with session_scope() as session:
        assert get_media(session, media_id=media_id).analysis["accepted"] is True


def test_english_dark_photo_is_refused_with_advice_then_a_good_one_accepted(
    assistant, deliver_media
) -> None:
    sender = "e2e-capture-damage-en"
    assert "photo of the damage" in _texts(
        assistant.say(sender, "my parcel arrived and the vase inside is cracked")
    )
    _, refused = deliver_media(sender, product_photo(brightness=0.07))
    refused_text = _texts(refused)
    assert "can't use this one yet" in refused_text
    assert "light" in refused_text.lower()
    assert "photo of the damage" in refused_text  # asked again

    _, accepted = deliver_media(sender, product_photo())
    accepted_text = _texts(accepted)
    assert "looks good" in accepted_text
    assert "label" in accepted_text  # next step: the label, which can be skipped

    done = _texts(assistant.say(sender, "/skip"))
    assert "Photo of the damage: received" in done
    assert "Photo of the label: skipped" in done


def test_return_with_the_order_number_in_the_caption(assistant, deliver_media) -> None:
    sender = "e2e-capture-return-en"
    assistant.say(sender, "I want to return a jacket, it doesn't fit")
    _, replies = deliver_media(sender, product_photo(), caption="order #118734")
    text = _texts(replies)
    assert "Order number: #118734" in text  # nothing left to ask: the summary


def test_customer_can_cancel_and_start_again(assistant) -> None:
    sender = "e2e-capture-cancel-es"
    assistant.say(sender, "la lavadora no centrifuga")
    cancelled = _texts(assistant.say(sender, "cancelar"))
    assert "lo dejamos aquí" in cancelled
    again = _texts(assistant.say(sender, "la lavadora sigue sin centrifugar"))
    assert "video corto" in again


def test_photo_sent_first_is_used_when_the_customer_says_what_it_is(
    assistant, deliver_media
) -> None:
    sender = "e2e-capture-photo-first"
    _, menu = deliver_media(sender, product_photo())
    assert "/report_damaged_product" in [b["payload"] for r in menu for b in r.get("buttons", [])]
    started = _texts(assistant.say(sender, "/report_damaged_product"))
    assert "looks good" in started
    assert "photo of the damage" not in started  # not asked again
    assert "label" in started  # straight to the next step
