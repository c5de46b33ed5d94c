"""English or Spanish for OCR'd text, from small stop-word lists.

The text is often a few words of UI and numbers, where counting unmistakable function
words is as reliable as a statistical detector and costs nothing per process."""

from __future__ import annotations

import re

_EN_WORDS = (
    "the and your you to of is are was for with not this that please payment order total "
    "date amount failed successful pending transaction error from has been could try again "
    "was were will model serial number paid refund"
)
_ES_WORDS = (
    "el la los las de del y en su tu es son fue para con por no este esta pago pedido "
    "importe fecha fallido fallida exitoso exitosa pendiente transacción operación número "
    "modelo serie intente nuevo ha sido se reembolso pagado"
)
_EN, _ES = frozenset(_EN_WORDS.split()), frozenset(_ES_WORDS.split())


def detect_language(text: str) -> str | None:
    words = re.findall(r"[^\W\d_]+", text.lower())
    en = sum(1 for w in words if w in _EN)
    es = sum(1 for w in words if w in _ES)
    if max(en, es) < 2 or en == es:
        return None
    return "en" if en > es else "es"
