"""Edited copies (``copies.py``): a picture sent before, sent again with a field changed,
is reported as ``edited_copy`` with both values; a plain copy stays plain reuse; another
receipt or another payment on the same app's screen is neither. Through the index and
``reuse.judge`` as the product stores media, both halves printed (copyset.py says what
is real and what is synthetic); floors asserted on the held-out half only.
"""

from __future__ import annotations

from collections import defaultdict

from helpdesk.db import session_scope
from helpdesk.db.models import MediaFingerprint, MediaRecord
from helpdesk.media import analyze
from helpdesk.media.authenticity import index, reuse
from helpdesk.media.authenticity.content import Content, same_content
from helpdesk.media.records import save_media
from tests.helpdesk.media.authenticity.copyset import Copy, receipt_copies, screen_copies
from tests.helpdesk.media.authenticity.support import fingerprint_bytes


def _store(session, data: bytes, sender: str, purpose: str) -> int:  # type: ignore[no-untyped-def]
    analysis = analyze(data, purpose=purpose).to_dict()
    analysis.pop("authenticity")
    record = save_media(
        session, sender_id=sender, sha256="0" * 64, kind="image", mime="image/jpeg",
        size=len(data), source="test", analysis=analysis,
    )  # fmt: skip
    found = fingerprint_bytes(data)
    assert found is not None
    index.add(session, media_id=record.id, sender_id=sender, fingerprint=found)
    return record.id


def _evaluate(split: str) -> tuple[dict[str, list[str]], dict[str, list[bool]], list[str]]:
    """Per (kind, edit): the verdict against its own original (``edited`` / ``reuse`` /
    ``missed``); per kind: whether each copy matched another original; explanations."""
    copies: list[Copy] = [*receipt_copies(split), *screen_copies(split)]
    outcome: dict[str, list[str]] = defaultdict(list)
    others: dict[str, list[bool]] = defaultdict(list)
    said: list[str] = []
    with session_scope() as session:
        session.query(MediaFingerprint).delete()
        session.query(MediaRecord).delete()
        originals: dict[tuple[str, str], int] = {}
        for copy in copies:
            if (copy.kind, copy.name) not in originals:
                sender = f"{copy.kind}-{copy.name}"
                originals[copy.kind, copy.name] = _store(
                    session, copy.original, sender, copy.purpose
                )
        for copy in copies:
            found = fingerprint_bytes(copy.copy)
            assert found is not None
            content = Content.of(analyze(copy.copy, purpose=copy.purpose).to_dict())
            matches = index.find(session, fingerprint=found)
            judged = reuse.judge(session, matches=matches, fingerprint=found, content=content)
            own = originals[copy.kind, copy.name]
            verdict = next(
                ("edited" if differences else "reuse" for m, differences in judged
                 if m.media_id == own),
                "missed",
            )  # fmt: skip
            outcome[f"{copy.kind}/{copy.edit}"].append(verdict)
            before = _before(session, matches, own, found, content)
            outcome[f"before/{copy.kind}/{copy.edit}"].append(before)
            for media_id in originals.values():
                # The other payment's screen with this one's payee *is* that payment's
                # screen with its payee changed (an edited copy of it): not counted.
                if media_id != own and copy.edit != "another_payment_same_payee":
                    hit = next((d for m, d in judged if m.media_id == media_id), None)
                    others[f"{copy.kind}/other_original"].append(hit is not None)
                    others[f"{copy.kind}/other_original_edited"].append(bool(hit))
            if verdict == "edited" and len(said) < 3:
                differences = next(d for m, d in judged if m.media_id == own)
                said.append(f"{copy.kind}/{copy.edit}: " + "; ".join(
                    f"{d.kind} {d.here} vs {d.there}" for d in differences))  # fmt: skip
    return outcome, others, said


def _before(session, matches, own: int, found, content: Content) -> str:  # type: ignore[no-untyped-def]
    """What the product said before edited copies were told apart: the content check
    alone (``same_content``), reuse or nothing."""
    match = next((m for m in matches if m.media_id == own), None)
    if match is None:
        return "missed"
    known = Content.of(session.get(MediaRecord, own).analysis)
    if content.digital and known.digital:
        earlier = index.stored(session, media_id=own)
        return "reuse" if same_content(content, known, found, earlier) else "missed"
    return "reuse"


def _report(split: str, outcome: dict[str, list[str]], others: dict[str, list[bool]]) -> None:
    print(f"\nedited copies on the {split} half (verdict against the copy's own original):")
    for key in sorted(outcome):
        got = outcome[key]
        counts = ", ".join(f"{v} {got.count(v)}" for v in ("edited", "reuse", "missed"))
        plain = key.endswith(("/none", "/cropped"))
        target = "plain copy: want reuse" if plain else "want edited"
        target = "want missed" if key.endswith("_same_payee") else target
        target = "before this change" if key.startswith("before/") else target
        print(f"  {key:24s} {counts}  of {len(got)}  ({target})")
    for key in sorted(others):
        hits = others[key]
        print(f"  {key:30s} falsely matched {sum(hits)}/{len(hits)}")


def _rate(values: list[str], wanted: str) -> float:
    return values.count(wanted) / len(values)


def test_edited_copies_are_told_from_plain_copies_and_from_other_payments(
    database_url: str,
) -> None:
    halves = {}
    for split in ("dev", "test"):
        outcome, others, said = _evaluate(split)
        _report(split, outcome, others)
        for line in said:
            print(f"  e.g. {line}")
        halves[split] = (outcome, others)
    outcome, others = halves["test"]
    # Floors from the dev half with a margin (dev: every screen edit found, 8/8 each).
    for edit in ("amount", "date", "transaction_id", "payee"):
        assert _rate(outcome[f"screen/{edit}"], "edited") >= 0.75, edit
    assert _rate(outcome["screen/none"], "reuse") >= 0.85
    assert _rate(outcome["screen/cropped"], "reuse") >= 0.75  # a 15 % crop, still found
    # Two payments to one payee on one bank app: neither reuse nor an edit.
    assert _rate(outcome["screen/another_payment_same_payee"], "missed") >= 0.9
    # Real receipts: a digit pasted over the total is told when OCR reads the pasted digit
    # at the same place; a pasted date digit mostly is not (printed, not asserted). Every
    # copy is still found as reuse at least.
    assert _rate(outcome["receipt/amount"] + outcome["receipt/date"], "missed") <= 0.1
    assert _rate(outcome["receipt/amount"], "edited") >= 0.4
    # A plain copy of a receipt photo re-read by OCR may read a digit of the same field
    # otherwise: it is still reported as reuse, with the wrong explanation.
    assert _rate(outcome["receipt/none"], "edited") <= 0.25
    # Another receipt, another payment on the same screen: neither reuse nor an edit.
    for kind in ("screen", "receipt"):
        hits = others[f"{kind}/other_original"]
        assert sum(hits) / len(hits) <= 0.01


def _signals(received, data: bytes, sender: str) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    from helpdesk.capture.media import analyse_stored_media
    from helpdesk.media.records import get_media

    item = received(data, sender_id=sender)
    assert analyse_stored_media(item["id"], purpose="receipt", language="en", sender_id=sender)
    with session_scope() as session:
        signals = get_media(session, media_id=item["id"]).analysis["authenticity"]["signals"]
    return item["id"], signals


def test_another_customers_payment_screen_with_its_amount_changed_is_an_edited_copy(
    received,  # type: ignore[no-untyped-def]
) -> None:
    import dataclasses

    from tests.helpdesk.media.authenticity.copyset import png_bytes, resent
    from tests.helpdesk.media.authenticity.screenset import payment_screen, payments

    payment = payments("test")[0]
    first, signals = _signals(received, png_bytes(payment_screen(payment)), "34600000201")
    assert signals == []
    inflated = dataclasses.replace(payment, total="1" + payment.total)
    media, found = _signals(received, resent(payment_screen(inflated)), "34600000202")
    (signal,) = [s for s in found if s["code"] in ("edited_copy", "reused_other_customer")]
    assert signal["code"] == "edited_copy" and signal["severity"] == "strong"
    (difference,) = signal["evidence"]["differences"]
    assert difference["field"] == "amount"
    assert "1" + payment.total in difference["here"] and payment.total in difference["there"]
    assert (
        f"reads {difference['here']} here and {difference['there']} there"
        in (signal["explanation"])
    )
    assert signal["evidence"]["earlier"] == "other_customer"
    assert signal["evidence"]["matching_media_id"] == first
    # Both pictures marked at the amount (the big figure in the upper third of the screen).
    for region in (difference["here_region"], difference["there_region"], signal["region"]):
        assert 0.25 < region[1] < 0.4 and region[3] < 0.45
    # The same screen, unchanged, from a third customer: plain reuse of the first (and an
    # edited copy of the second, which it is too).
    _, again = _signals(received, resent(payment_screen(payment)), "34600000203")
    codes = {s["evidence"]["matching_media_id"]: s["code"] for s in again}
    assert codes == {first: "reused_other_customer", media: "edited_copy"}
    with session_scope() as session:
        from helpdesk.tickets import core

        ticket = core.open_ticket(
            session, sender_id="34600000202", use_case="payment_dispute", queue="payments",
            media_ids=[media], summary="refund",
            transcript=[{"who": "customer", "text": "I paid and got nothing"}],
        )  # fmt: skip
        assert ticket.queue == "fraud_review"
        assert any(flag.startswith("authenticity: edited_copy [strong]") for flag in ticket.flags)
        assert "edited_copy" in ticket.summary


def _screen(amount: str, date: str, reference: str, payee: str = "FUYI MINI MARKET") -> Content:
    def field(kind: str, value: str, y: int) -> dict:
        extra = {"amount": value} if kind == "total" else {}
        return {"type": kind, "value": value, "raw": value,
                "where": {"box": [90, y, 300, 40]}, **extra}  # fmt: skip

    text = (
        f"09:41\nMyBank\nPayment sent\nRM {amount}\nTo\n{payee}\nDate\n{date}\n"
        f"Reference\n{reference}\nFrom\nCurrent account ****4821\nDone"
    )
    fields = (field("total", amount, 760), field("date", date, 1210),
              field("transaction_id", reference, 1360))  # fmt: skip
    return Content(True, text, fields, (1080, 2340))


def test_one_payment_edited_is_told_from_two_payments_to_one_payee() -> None:
    from helpdesk.media.authenticity.copies import describe, edited_screen

    sent = _screen("12.00", "25/01/2018", "TRX458129781151")
    assert edited_screen(sent, sent) is None  # the same screen
    (amount,) = edited_screen(_screen("120.00", "25/01/2018", "TRX458129781151"), sent) or []
    assert (amount.kind, amount.here, amount.there) == ("amount", "120.00", "12.00")
    assert amount.here_region == (round(90 / 1080, 4), round(760 / 2340, 4),
                                  round(390 / 1080, 4), round(800 / 2340, 4))  # fmt: skip
    assert describe([amount]) == "the amount reads 120.00 here and 12.00 there"
    both = edited_screen(_screen("120.00", "26/01/2018", "TRX458129781151"), sent) or []
    assert [d.kind for d in both] == ["amount", "date"]  # the reference still agrees
    (ref,) = edited_screen(_screen("12.00", "25/01/2018", "TRX999999999999"), sent) or []
    assert ref.kind == "transaction_id"
    # Another payment to the same payee: amount, date and reference all differ.
    assert edited_screen(_screen("30.00", "02/02/2018", "TRX111122223333"), sent) is None
    # Another id and another amount: another payment, not an edit of this one.
    assert edited_screen(_screen("30.00", "25/01/2018", "TRX111122223333"), sent) is None
    (payee,) = edited_screen(_screen("12.00", "25/01/2018", "TRX458129781151", "ACME"), sent) or []
    assert payee.kind == "payee" and payee.here == "ACME" and payee.there == "FUYI MINI MARKET"
    misread = Content(True, sent.text.replace("MINI", "M1NI"), sent.fields, sent.size)  # type: ignore[union-attr]
    assert edited_screen(misread, sent) is None  # one word read differently: the same screen
    dropped = Content(True, sent.text.replace("\nDone", ""), sent.fields, sent.size)  # type: ignore[union-attr]
    assert edited_screen(dropped, sent) is None  # a line OCR missed is not a changed one
    # A payee whose name holds digits: the figures compared are the rest of the screen's.
    digits = _screen("12.00", "25/01/2018", "TRX458129781151", "ZEN AND COFFEE 28 S/B")
    (renamed,) = edited_screen(digits, sent) or []
    assert renamed.kind == "payee" and renamed.here == "ZEN AND COFFEE 28 S/B"
