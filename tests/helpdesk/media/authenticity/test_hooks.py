"""Authenticity in the product: the analysis JSON, the stored analysis, the ticket."""

from __future__ import annotations

import io

from PIL import Image

from helpdesk.capture.media import analyse_stored_media
from helpdesk.db import session_scope
from helpdesk.media import analyze
from helpdesk.media.records import get_media
from helpdesk.tickets import core
from tests.helpdesk.media.authenticity.evalset import DATA, _rng, resized


def _photo() -> bytes:
    with Image.open(DATA / "sharp_skimage_coffee.jpg") as image:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_analysis_json_has_an_authenticity_object_with_a_fingerprint() -> None:
    result = analyze(_photo(), purpose="photo").to_dict()
    block = result["authenticity"]
    assert block["signals"] == []
    assert block["fingerprint"]["views"][0]["view"] == "full"


def test_a_photo_another_customer_sent_is_flagged_with_both_ids_and_routes_to_fraud(
    received,  # type: ignore[no-untyped-def]
) -> None:
    first = received(_photo(), sender_id="34600000001")
    again = received(_photo(), sender_id="34600000001")  # resent in the same conversation
    with Image.open(io.BytesIO(_photo())) as image:
        copy = resized(image.convert("RGB"), _rng("coffee", "resized"))
    second = received(copy, sender_id="34600000002")
    senders = ("34600000001", "34600000001", "34600000002")
    for item, sender in zip((first, again, second), senders, strict=True):
        assert (
            analyse_stored_media(item["id"], purpose="photo", language="en", sender_id=sender)
            is not None
        )
    with session_scope() as session:  # what is stored with the record (and shown to agents)
        flagged = get_media(session, media_id=second["id"]).analysis
        same = get_media(session, media_id=again["id"]).analysis
    signals = flagged["authenticity"]["signals"]
    assert {s["code"] for s in signals} == {"reused_other_customer"}
    assert {s["severity"] for s in signals} == {"strong"}
    assert {s["evidence"]["media_id"] for s in signals} == {second["id"]}
    assert {s["evidence"]["matching_media_id"] for s in signals} == {first["id"], again["id"]}
    assert "fingerprint" not in flagged["authenticity"]  # the index holds it
    assert same["authenticity"]["signals"] == []
    with session_scope() as session:
        ticket = core.open_ticket(
            session, sender_id="34600000002", use_case="return_item", queue="returns",
            media_ids=[second["id"]], summary="I want to return this",
            transcript=[{"who": "customer", "text": "I want to return this"}],
        )  # fmt: skip
        assert ticket.queue == "fraud_review"
        assert "reused_other_customer" in ticket.summary
        assert f"media #{first['id']}" in ticket.summary


def test_a_claimed_amount_against_the_receipt_total_reaches_the_ticket(
    received,  # type: ignore[no-untyped-def]
) -> None:
    from helpdesk.media.records import set_analysis

    item = received(_photo(), sender_id="34600000003")
    analysis = {
        "accepted": True,
        "fields": [{"type": "total", "value": "12.00 EUR", "amount": "12.00", "currency": "EUR"}],
        "authenticity": {"signals": []},
    }
    with session_scope() as session:
        set_analysis(session, media_id=item["id"], analysis=analysis, purpose="receipt")
        ticket = core.open_ticket(
            session, sender_id="34600000003", use_case="payment_dispute", queue="payments",
            media_ids=[item["id"]], summary="charged",
            transcript=[{"who": "customer", "text": "I was charged 120 € for this"}],
        )  # fmt: skip
        assert ticket.queue == "fraud_review"
        assert any("amount_mismatch" in flag for flag in ticket.flags)
        assert "claims 120" in ticket.summary and "12.00" in ticket.summary


def test_a_strong_signal_hands_the_case_to_a_person_instead_of_offering_a_fix(
    received,  # type: ignore[no-untyped-def]
) -> None:
    from helpdesk.triage import fixloop

    first = received(_photo(), sender_id="34600000005")
    second = received(_photo(), sender_id="34600000006")
    for item, sender in ((first, "34600000005"), (second, "34600000006")):
        assert (
            analyse_stored_media(item["id"], purpose="photo", language="en", sender_id=sender)
            is not None
        )
    words = dict(text="my washing machine shows E21", fields=[], ocr_text=None, language="en")
    plain = fixloop.first_decision(use_case=None, **words)
    assert plain.action == fixloop.OFFER_FIX  # what the bot does without the signal
    flagged = fixloop.first_decision(
        use_case=None, sender_id="34600000006", media_ids=[second["id"]], **words
    )
    assert flagged.action == fixloop.HAND_OFF
    assert flagged.queue == "fraud_review" and flagged.triage["queue"] == "fraud_review"
    assert flagged.advice is None and flagged.explanation is None  # nothing said to the customer
    own = fixloop.first_decision(
        use_case=None, sender_id="34600000005", media_ids=[first["id"]], **words
    )
    assert own.action == fixloop.OFFER_FIX  # the earlier sender's case is not flagged


def test_erasing_a_customer_erases_their_fingerprints(received) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from helpdesk.db.models import MediaFingerprint
    from helpdesk.media.records import erase

    mine = received(_photo(), sender_id="34600000007")
    theirs = received(_photo(), sender_id="34600000008")
    for item, sender in ((mine, "34600000007"), (theirs, "34600000008")):
        assert (
            analyse_stored_media(item["id"], purpose="photo", language="en", sender_id=sender)
            is not None
        )
    with session_scope() as session:
        erase(session, sender_id="34600000007")
    with session_scope() as session:
        left = session.execute(
            select(MediaFingerprint.media_id, func.count()).group_by(MediaFingerprint.media_id)
        ).all()
    assert [media_id for media_id, _ in left] == [theirs["id"]]
