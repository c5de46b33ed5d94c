"""What the worker's claim knew of a customer serves only the replies to that customer."""

from __future__ import annotations

from helpdesk.whatsapp.claims import _address
from helpdesk.whatsapp.replay import Answering, answering, reply_scope


def test_the_claims_knowledge_serves_only_replies_to_its_customer() -> None:
    known = Answering("34600000001", 1_700_000_000, "34600000001", None)
    with reply_scope("wamid.1", known):
        assert answering("34600000001") == known
        assert answering("34600000009") is None  # another recipient asks the database
    assert answering("34600000001") is None  # outside the turn


def test_a_customer_without_an_identity_is_addressed_by_their_key() -> None:
    assert _address("34600000001", None) == ("34600000001", None)
    assert _address("US.13491208655302741918", None) == (None, "US.13491208655302741918")
    assert _address("34600000001", ["34600000002", "US.1"]) == ("34600000002", "US.1")
