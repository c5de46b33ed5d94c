"""One customer behind a phone number, a BSUID, a username, a number change (real SQLite)."""

from __future__ import annotations

from helpdesk.customers import get_customer, record_customer_seen
from helpdesk.db import session_scope
from helpdesk.db.models import InboxMessage, WhatsAppIdentity
from helpdesk.erasure import erase_customer
from helpdesk.whatsapp import identity, service
from helpdesk.whatsapp.records import ERASED_TYPE
from helpdesk.whatsapp.webhook import parse

PHONE, BSUID, NEW_BSUID = "16505551234", "US.13491208655302741918", "US.99887766554433221100"


def _webhook(message: dict, contact: dict | None = None) -> dict:
    value: dict = {"metadata": {"phone_number_id": "P"}, "messages": [message]}
    if contact is not None:
        value["contacts"] = [contact]
    return {"entry": [{"changes": [{"field": "messages", "value": value}]}]}


def _text(wamid: str, ts: int, **sender: str) -> dict:
    return {"id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": wamid}, **sender}


def _store(url: str, body: dict) -> None:
    with session_scope(url) as session:
        service.store_events(session, events=parse(body, phone_number_id="P"))


def _senders(url: str) -> list[str]:
    with session_scope(url) as session:
        rows = session.query(InboxMessage).order_by(InboxMessage.timestamp).all()
        return [row.sender_id for row in rows]


def test_username_only_customer_is_known_by_bsuid_and_username(database_url: str) -> None:
    contact = {"user_id": BSUID, "profile": {"name": "Ana", "username": "@ana"}}
    _store(database_url, _webhook(_text("w1", 1, from_user_id=BSUID), contact))
    assert _senders(database_url) == [BSUID]
    with session_scope(database_url) as session:
        where = identity.address(session, key=BSUID)
    assert (where.phone, where.user_id, where.username) == (None, BSUID, "@ana")


def test_seen_by_phone_then_by_bsuid_only_is_one_customer(database_url: str) -> None:
    _store(database_url, _webhook(_text("w1", 1, **{"from": PHONE}), {"wa_id": PHONE}))
    both = {"wa_id": PHONE, "user_id": BSUID, "profile": {"name": "Ana"}}
    _store(database_url, _webhook(_text("w2", 2, **{"from": PHONE, "from_user_id": BSUID}), both))
    # Later Meta withholds the number: only the BSUID comes.
    _store(database_url, _webhook(_text("w3", 3, from_user_id=BSUID), {"user_id": BSUID}))
    assert _senders(database_url) == [PHONE, PHONE, PHONE]  # Rasa's sender_id never moves


def test_seen_by_bsuid_first_then_phone_merges_under_the_first_key(database_url: str) -> None:
    _store(database_url, _webhook(_text("w1", 1, from_user_id=BSUID), {"user_id": BSUID}))
    _store(database_url, _webhook(_text("w2", 2, **{"from": PHONE}), {"wa_id": PHONE}))
    assert _senders(database_url) == [BSUID, PHONE]  # two keys until Meta links them
    linked = {"wa_id": PHONE, "user_id": BSUID}
    _store(database_url, _webhook(_text("w3", 3, **{"from": PHONE, "from_user_id": BSUID}), linked))
    _store(database_url, _webhook(_text("w4", 4, **{"from": PHONE}), {"wa_id": PHONE}))
    assert _senders(database_url)[2:] == [BSUID, BSUID]
    with session_scope(database_url) as session:
        assert sorted(identity.keys_for(session, identifier=PHONE)) == sorted([BSUID, PHONE])


def test_a_number_change_keeps_the_customer(database_url: str) -> None:
    both = {"wa_id": PHONE, "user_id": BSUID}
    _store(database_url, _webhook(_text("w1", 1, **{"from": PHONE, "from_user_id": BSUID}), both))
    change = {
        "from": PHONE,
        "from_user_id": BSUID,
        "id": "w2",
        "timestamp": "2",
        "type": "system",
        "system": {"type": "user_changed_number", "wa_id": "16505559999", "body": "changed"},
    }
    _store(database_url, _webhook(change))
    new = {"wa_id": "16505559999", "user_id": NEW_BSUID}
    _store(
        database_url,
        _webhook(_text("w3", 3, **{"from": "16505559999", "from_user_id": NEW_BSUID}), new),
    )
    assert _senders(database_url) == [PHONE, PHONE, PHONE]
    with session_scope(database_url) as session:
        where = identity.address(session, key=PHONE)
    assert (where.phone, where.user_id) == ("16505559999", NEW_BSUID)


def test_values_not_shaped_like_a_number_or_bsuid_are_not_trusted(database_url: str) -> None:
    _store(database_url, _webhook(_text("w1", 1, from_user_id="x'; DROP TABLE")))
    with session_scope(database_url) as session:
        assert session.query(WhatsAppIdentity).count() == 0
    assert identity.is_bsuid("US.ENT.11815799212886844830")
    assert not identity.is_bsuid("US." + "1" * 129)


def test_erasure_by_either_identifier_erases_the_person(database_url: str) -> None:
    both = {"wa_id": PHONE, "user_id": BSUID}
    _store(database_url, _webhook(_text("w1", 1, **{"from": PHONE, "from_user_id": BSUID}), both))
    with session_scope(database_url) as session:
        record_customer_seen(session, sender_id=PHONE, language="en")
    report = erase_customer(sender_id=BSUID, url=database_url)
    assert report.total >= 3
    with session_scope(database_url) as session:
        # Only the wordless tombstone that keeps the 24-hour window open for the confirmation.
        left = session.query(InboxMessage).all()
        assert [(row.type, row.body) for row in left] == [(ERASED_TYPE, "{}")]
        assert get_customer(session, sender_id=PHONE) is None
        assert session.query(WhatsAppIdentity).count() == 0
