"""The channel records the customer and decides the turn's language once, against the
language stored for that customer (helpdesk.customer_seen)."""

from __future__ import annotations

import pytest

from helpdesk.customer_seen import note_customer_turn
from helpdesk.customers import get_customer
from helpdesk.db import session_scope

SENDER = "15551234567"


def _stored_language() -> str | None:
    with session_scope() as session:
        return get_customer(session, sender_id=SENDER).language


def test_spanish_message_records_the_customer_in_spanish(database_url: str) -> None:
    language = note_customer_turn(
        sender_id=SENDER, text="mi pago falló y me cobraron dos veces", metadata={}
    )
    assert language == "es"
    assert _stored_language() == "es"


def test_short_replies_and_buttons_keep_the_stored_language(database_url: str) -> None:
    note_customer_turn(sender_id=SENDER, text="la pantalla se rompió al abrir la caja", metadata={})
    for text in ("ok", "/affirm", "E21", "no"):
        assert note_customer_turn(sender_id=SENDER, text=text, metadata={}) == "es"
    switch = "actually my payment failed twice"
    assert note_customer_turn(sender_id=SENDER, text=switch, metadata={}) == "en"
    assert _stored_language() == "en"


def test_a_photo_caption_decides_the_language(database_url: str) -> None:
    language = note_customer_turn(
        sender_id=SENDER, text="/media_shared", metadata={"caption": "se rompió la pantalla"}
    )
    assert language == "es"


def test_an_undecidable_first_message_uses_the_default_language(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_DEFAULT_LANGUAGE", "es")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    assert note_customer_turn(sender_id=SENDER, text="E21", metadata={}) == "es"


def test_database_outage_leaves_the_language_to_rasa(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    assert note_customer_turn(sender_id=SENDER, text="my payment failed", metadata={}) is None
