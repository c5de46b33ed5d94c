"""Triage from the words alone agrees with the NLU on the damage / return boundary, in
English and Spanish: a product that arrived broken is a damaged product, however crushed
the box; money asked back (refund, compensation, chargeback) is a return, not a payment."""

from __future__ import annotations

import pytest

from helpdesk.kb import load
from helpdesk.settings import PROJECT_ROOT
from helpdesk.triage import triage


@pytest.fixture(scope="module")
def kb():
    return load(PROJECT_ROOT / "knowledge")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("caja aplastada y el producto roto", "es"),
        ("la caja llegó aplastada y el jarrón hecho pedazos", "es"),
        ("el paquete vino reventado y la tele con la pantalla partida", "es"),
        ("me ha llegado el pedido estropeado", "es"),
        ("the package was crushed and the vase inside is in pieces", "en"),
        ("my order arrived damaged, what do i do now", "en"),
        ("delivery came today and the watch strap is snapped", "en"),
    ],
)
def test_broken_on_arrival_is_a_damaged_product(kb, text: str, language: str) -> None:
    assert triage(text=text, language=language, kb=kb).category == "report_damaged_product"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quiero que me devuelvan el dinero de mi pedido", "es"),
        ("cuanto tarda en llegar el reembolso a la tarjeta", "es"),
        ("quiero una compensación por el retraso, mínimo 10 euros", "es"),
        ("reembólsenme los 20 euros", "es"),
        ("please refund the 35 euros you owe me", "en"),
        ("how long does a refund take to reach my card", "en"),
        ("i want my money back, the item is not what was described", "en"),
        ("any update on my refund?", "en"),
    ],
)
def test_money_asked_back_is_a_return(kb, text: str, language: str) -> None:
    assert triage(text=text, language=language, kb=kb).category == "request_return"


def test_broken_and_money_back_is_a_return(kb) -> None:
    result = triage(text="llegó roto y quiero que me devuelvan el dinero", language="es", kb=kb)
    assert result.category == "request_return"
