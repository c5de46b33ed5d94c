"""The summary the customer sees when a capture flow is complete.

Step labels are kept here with the flows (not in domain.yml) because they name slots, not
conversation turns; the sentence around the summary is ``utter_capture_summary``.
"""

from __future__ import annotations

from typing import Any

from helpdesk.capture.flows import FACT, PAYMENT, SKIPPED, Flow

LABELS = {
    "damage_photo": {"en": "Photo of the damage", "es": "Foto del daño"},
    "product_label_photo": {"en": "Photo of the label", "es": "Foto de la etiqueta"},
    "error_screenshot": {"en": "Screenshot of the error", "es": "Captura del error"},
    "affected_app": {"en": "App or device", "es": "App o equipo"},
    "payment_evidence": {"en": "Payment screenshot or receipt", "es": "Comprobante del pago"},
    "payment_details": {"en": "Payment", "es": "Pago"},
    "transaction_id": {"en": "Transaction id", "es": "Id de transacción"},
    "item_photo": {"en": "Photo of the item", "es": "Foto del artículo"},
    "order_number": {"en": "Order number", "es": "Número de pedido"},
    "appliance_media": {"en": "Video or photos of the appliance", "es": "Video o fotos del equipo"},
    "appliance_label_photo": {"en": "Model label", "es": "Etiqueta del modelo"},
}
FIELD_LABELS = {
    "error_code": {"en": "Error code", "es": "Código de error"},
    "serial_number": {"en": "Serial number", "es": "Número de serie"},
    "model_number": {"en": "Model", "es": "Modelo"},
    "order_number": {"en": "Order number", "es": "Número de pedido"},
    "transaction_id": {"en": "Transaction id", "es": "Id de transacción"},
    "amount": {"en": "Amount", "es": "Importe"},
    "total": {"en": "Total paid", "es": "Total pagado"},
    "merchant": {"en": "Merchant", "es": "Comercio"},
    "date": {"en": "Date", "es": "Fecha"},
    "payment_status": {"en": "Payment status", "es": "Estado del pago"},
    "card_number_masked": {"en": "Card", "es": "Tarjeta"},
    "barcode": {"en": "Barcode", "es": "Código de barras"},
}
WORDS = {
    "en": {"received": "received", "skipped": "skipped", "read": "I read"},
    "es": {"received": "recibida", "skipped": "omitido", "read": "Leí"},
}
MAX_FIELDS = 6
# What the payment step confirms (helpdesk/media/receipts.py reads them from a receipt).
PAYMENT_FIELDS = ("total", "amount", "merchant", "date", "currency", "status")


def capture_summary(
    flow: Flow, slots: dict[str, Any], fields: list[dict[str, Any]], language: str
) -> str:
    """A few lines: each step's outcome, then the most useful values read from the media."""
    language = language if language in WORDS else "en"
    words = WORDS[language]
    lines = []
    for step in flow.steps:
        value = slots.get(step.slot)
        label = LABELS.get(step.slot, {}).get(language, step.slot)
        if value is None:
            continue
        if value == SKIPPED:
            lines.append(f"• {label}: {words['skipped']}")
        elif step.type == FACT:
            lines.append(f"• {label}: {value}")
        else:
            lines.append(f"• {label}: {words['received']} ✓")
    seen: set[tuple[str, str]] = set()
    read = []
    # A payment the customer confirmed or typed is the payment: the amounts, shop and date
    # read from the receipt are not listed again beside it (nor a total they corrected).
    settled = {
        kind
        for step in flow.steps
        if step.field_type == PAYMENT and slots.get(step.slot) not in (None, SKIPPED)
        for kind in PAYMENT_FIELDS
    }
    for found in sorted(fields, key=lambda f: -float(f.get("confidence") or 0)):
        key = (str(found.get("type")), str(found.get("value")))
        if key in seen or key[0] not in FIELD_LABELS or key[0] in settled:
            continue
        if found.get("source") == "customer":
            continue  # the customer's own words were said back when they wrote them
        seen.add(key)
        read.append(f"{FIELD_LABELS[key[0]][language]} {key[1]}")
        if len(read) >= MAX_FIELDS:
            break
    if read:
        lines.append(f"• {words['read']}: " + "; ".join(read))
    return "\n".join(lines)


_SYMBOLS = {"EUR": ("", " €"), "USD": ("$", ""), "GBP": ("£", ""), "MYR": ("RM ", "")}
_DECIMAL_COMMA = frozenset({"EUR", "BRL"})
_READBACK = {
    "en": {
        "paid": "I can see {amount} paid",
        "failed": "I can see a failed payment of {amount}",
        "pending": "I can see a pending payment of {amount}",
        "at": " at {merchant}",
        "on": " on {date}",
        "question": " — is that the payment?",
    },
    "es": {
        "paid": "Veo un pago de {amount}",
        "failed": "Veo un pago fallido de {amount}",
        "pending": "Veo un pago pendiente de {amount}",
        "at": " en {merchant}",
        "on": " el {date}",
        "question": ". ¿Es ese el pago?",
    },
}


def _money_text(value: str, currency: str | None) -> str:
    amount = f"{float(value):.2f}"
    if currency in _DECIMAL_COMMA:
        amount = amount.replace(".", ",")
    before, after = _SYMBOLS.get(currency or "", ("", f" {currency}" if currency else ""))
    return f"{before}{amount}{after}"


def _date_text(iso: str, currency: str | None) -> str:
    year, month, day = iso.split("-")
    return f"{month}/{day}/{year}" if currency == "USD" else f"{day}/{month}/{year}"


def _chosen(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by_type: dict[str, dict[str, Any]] = {}
    for found in fields:
        by_type.setdefault(str(found.get("type")), found)  # the first of each: the chosen one
    return by_type


def payment_readback(fields: list[dict[str, Any]], language: str) -> str | None:
    """What the bot read from a receipt, said back to confirm ("I can see 18,40 € paid at
    Café Sol on 12/03/2025 — is that the payment?"); None when no total was read."""
    by_type = _chosen(fields)
    total = by_type.get("total")
    if total is None:
        return None
    currency = total.get("currency") or (by_type.get("currency") or {}).get("value")
    words = _READBACK.get(language, _READBACK["en"])
    status = str((by_type.get("status") or {}).get("value") or "paid")
    opening = words.get(status, words["paid"])
    text = opening.format(amount=_money_text(str(total["value"]), currency))
    merchant = (by_type.get("merchant") or {}).get("value")
    if merchant:
        text += words["at"].format(merchant=merchant)
    date = (by_type.get("date") or {}).get("value")
    if date:
        text += words["on"].format(date=_date_text(str(date), currency))
    return text + words["question"]


def payment_value(fields: list[dict[str, Any]]) -> str | None:
    """The confirmed payment as it goes on the ticket: "18,40 € · Café Sol · 2025-03-12"."""
    by_type = _chosen(fields)
    total = by_type.get("total")
    if total is None:
        return None
    currency = total.get("currency") or (by_type.get("currency") or {}).get("value")
    parts = [_money_text(str(total["value"]), currency)]
    for kind in ("merchant", "date"):
        value = (by_type.get(kind) or {}).get("value")
        if value:
            parts.append(str(value))
    return " · ".join(parts)
