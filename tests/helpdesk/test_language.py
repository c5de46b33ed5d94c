from __future__ import annotations

import pytest

from helpdesk.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mi pago falló y me cobraron dos veces", "es"),
        ("mi pago fallo y me cobraron 2 veces", "es"),  # no accents, digits
        ("my payment failed and I was charged twice", "en"),
        ("hola", "es"),
        ("hello", "en"),
        ("Hello!", "en"),
        ("buenos dias", "es"),
        ("good morning", "en"),
        ("buenas tardes, la lavadora no centrifuga", "es"),
        ("hi there, my screen shows an error", "en"),
        ("my pedido llego roto", "es"),
    ],
)
def test_first_message_sets_the_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["/affirm", "/report_return", "E21", "0x80070005", "", "  ", "👍"])
def test_payloads_codes_and_emoji_keep_the_current_language(text: str) -> None:
    assert detect_language(text, current="es") == "es"
    assert detect_language(text, current="en") == "en"
    assert detect_language(text) is None


@pytest.mark.parametrize("text", ["ok", "no", "si", "yes", "va", "okey"])
def test_short_ambiguous_words_do_not_switch(text: str) -> None:
    assert detect_language(text, current="en") == "en"
    assert detect_language(text, current="es") == "es"


def test_a_clear_message_switches_the_language() -> None:
    assert detect_language("quiero hablar con una persona por favor", current="en") == "es"
    assert detect_language("sorry, can you answer in English please", current="es") == "en"
    assert detect_language("gracias", current="en") == "es"
    assert detect_language("hola", current="en") == "es"
    assert detect_language("thanks", current="es") == "en"


def test_unknown_current_language_is_ignored() -> None:
    assert detect_language("/affirm", current="fr") is None
