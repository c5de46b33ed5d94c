"""Parsing Meta's envelope: what is kept, what is ignored, what is refused."""

from __future__ import annotations

import pytest

from helpdesk.whatsapp.webhook import MalformedWebhook, parse


def _value(**value: object) -> dict:
    value.setdefault("metadata", {"phone_number_id": "P"})
    return {"entry": [{"changes": [{"field": "messages", "value": value}]}]}


def test_a_sender_may_be_a_user_id_instead_of_a_phone_number() -> None:
    body = _value(
        contacts=[{"profile": {"name": "Ana"}, "user_id": "US.1349120865"}],
        messages=[
            {
                "from_user_id": "US.1349120865",
                "id": "w1",
                "timestamp": "5",
                "type": "text",
                "text": {"body": "hola"},
            }
        ],
    )
    [message] = parse(body, phone_number_id="P").messages
    assert (message.sender_id, message.profile_name) == ("US.1349120865", "Ana")


def test_messages_are_ordered_per_customer_by_timestamp() -> None:
    messages = [
        {"from": sender, "id": wamid, "timestamp": ts, "type": "text", "text": {"body": wamid}}
        for sender, wamid, ts in [
            ("15550000002", "b2", "9"),
            ("15550000001", "a2", "7"),
            ("15550000001", "a1", "3"),
        ]
    ]
    events = parse(_value(messages=messages), phone_number_id="P")
    assert [m.wamid for m in events.messages] == ["a1", "a2", "b2"]


def test_statuses_and_errors_are_collected() -> None:
    body = _value(
        statuses=[{"id": "w9", "status": "failed", "timestamp": "1", "recipient_id": "A",
                   "errors": [{"code": 131026}]}],
        errors=[{"code": 131000}],
    )  # fmt: skip
    events = parse(body, phone_number_id="P")
    assert [(s.wamid, s.status, s.errors[0]["code"]) for s in events.statuses] == [
        ("w9", "failed", 131026)
    ]
    assert events.errors == [{"code": 131000}]


def test_other_numbers_and_other_fields_are_ignored() -> None:
    body = _value(messages=[{"from": "A", "id": "w", "timestamp": "1", "type": "text"}])
    assert parse(body, phone_number_id="OTHER").messages == []
    body["entry"][0]["changes"][0]["field"] = "account_update"
    events = parse(body, phone_number_id="P")
    assert (events.messages, events.ignored) == ([], 1)


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"object": "page"}', b"\xff\xfe"])
def test_a_body_that_is_no_webhook_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedWebhook):
        parse(raw, phone_number_id="P")
