"""App screens through the product: another payment on the same bank app's screen is not
reuse; the same screen sent again by another customer, or a photo pasted in a chat
screenshot, still is."""

from __future__ import annotations

from PIL import Image

from helpdesk.capture.media import analyse_stored_media
from helpdesk.db import session_scope
from helpdesk.media.authenticity.content import text_agrees
from helpdesk.media.records import get_media
from tests.helpdesk.media.authenticity.evalset import DATA, chat_screenshot, jpeg_bytes, png_bytes
from tests.helpdesk.media.authenticity.screenset import payment_screen, payments


def _signals(received, data: bytes, sender: str, purpose: str) -> list[dict]:  # type: ignore[no-untyped-def]
    item = received(data, sender_id=sender)
    assert analyse_stored_media(item["id"], purpose=purpose, language="en", sender_id=sender)
    with session_scope() as session:
        return get_media(session, media_id=item["id"]).analysis["authenticity"]["signals"]


def _reuse(signals: list[dict]) -> list[dict]:
    return [s for s in signals if s["code"].startswith("reused")]


def test_two_customers_payment_screens_of_one_bank_app_are_not_reuse_but_a_resent_one_is(
    received,  # type: ignore[no-untyped-def]
) -> None:
    first, second = payments("test")[:2]
    assert first.total != second.total and first.merchant != second.merchant
    mine = png_bytes(payment_screen(first))
    theirs = png_bytes(payment_screen(second))
    assert _signals(received, mine, "34600000101", "screenshot") == []
    # Another customer's payment on the same app's screen: the frame matches, the text not.
    assert _reuse(_signals(received, theirs, "34600000102", "screenshot")) == []
    # The first customer's screen again, smaller and re-encoded, from a third customer.
    screen = payment_screen(first)
    copy = jpeg_bytes(screen.resize((screen.width * 6 // 10, screen.height * 6 // 10)), 70)
    found = _reuse(_signals(received, copy, "34600000103", "screenshot"))
    assert [s["code"] for s in found] == ["reused_other_customer"]
    assert found[0]["severity"] == "notable"  # a screen: shown to the agent, no fraud queue


def test_a_photo_pasted_in_another_customers_chat_screenshot_is_still_reuse(
    received,  # type: ignore[no-untyped-def]
) -> None:
    with Image.open(DATA / "sharp_skimage_coffee.jpg") as opened:
        photo = opened.convert("RGB")
    original = received(jpeg_bytes(photo, 90), sender_id="34600000104")
    assert analyse_stored_media(
        original["id"], purpose="photo", language="en", sender_id="34600000104"
    )
    shot = png_bytes(chat_screenshot(photo))
    found = _reuse(_signals(received, shot, "34600000105", "screenshot"))
    assert [s["evidence"]["matching_media_id"] for s in found] == [original["id"]]


def test_screen_texts_agree_only_with_the_same_words_and_figures() -> None:
    sent = "Payment sent RM 9.00 To FUYI MINI MARKET Date 25/01/2018 Reference TRX458129781151"
    misread = sent.replace("MINI", "M1NI")  # one word read differently
    assert text_agrees(sent, misread)
    assert not text_agrees(sent, sent.replace("9.00", "90.00"))  # another amount, few figures
    assert not text_agrees(sent, sent.replace("TRX458129781151", "TRX458129781152"))
    assert not text_agrees("Payment sent", "Payment sent")  # too little to say
