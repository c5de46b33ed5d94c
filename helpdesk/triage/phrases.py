"""What the bot tells the customer about why it thinks it knows the problem, in English and
Spanish ("I can see error 0x80070005 on your screenshot" / "Veo el error 0x80070005 en tu
captura"). One template per kind of evidence; the agent-facing wording is in ``rules``.
"""

from __future__ import annotations

# Where the customer's picture came from, as the customer would say it.
MEDIA_NAMES = {
    "en": {
        "screenshot": "your screenshot",
        "label": "the label",
        "receipt": "your receipt",
        "photo": "your photo",
        "video": "your video",
        None: "what you sent",
    },
    "es": {
        "screenshot": "tu captura",
        "label": "la etiqueta",
        "receipt": "tu recibo",
        "photo": "tu foto",
        "video": "tu vídeo",
        None: "lo que enviaste",
    },
}

STATUS_NAMES = {
    "en": {
        "failed": "failed",
        "pending": "pending",
        "refunded": "refunded",
        "successful": "successful",
    },
    "es": {
        "failed": "fallido",
        "pending": "pendiente",
        "refunded": "reembolsado",
        "successful": "correcto",
    },
}

TEMPLATES = {
    "en": {
        "error_code:media": "I can see error {value} on {media}",
        "error_code:text": "You mentioned error {value}",
        "text_pattern:media": "{media} shows “{value}”",
        "text_pattern:text": "You wrote “{value}”",
        "customer_words:text": "You said “{value}”",
        "model:media": "{media} shows model {value}",
        "model:text": "You mentioned model {value}",
        "barcode:media": "The barcode on {media} is {value}",
        "payment_status:media": "The payment shows as {status} on {media}",
        "payment_status:text": "You said the payment {status_verb}",
    },
    "es": {
        "error_code:media": "Veo el error {value} en {media}",
        "error_code:text": "Mencionas el error {value}",
        "text_pattern:media": "En {media} aparece «{value}»",
        "text_pattern:text": "Escribiste «{value}»",
        "customer_words:text": "Dices «{value}»",
        "model:media": "En {media} aparece el modelo {value}",
        "model:text": "Mencionas el modelo {value}",
        "barcode:media": "El código de barras de {media} es {value}",
        "payment_status:media": "El pago figura como {status} en {media}",
        "payment_status:text": "Dices que el pago está {status}",
    },
}

STATUS_VERBS = {
    "failed": "failed",
    "pending": "is pending",
    "refunded": "was refunded",
    "successful": "went through",
}


def say(kind: str, source: str, value: str, *, language: str, purpose: str | None) -> str:
    """One customer-facing sentence (no final full stop, so sentences can be joined)."""
    language = "es" if language == "es" else "en"
    template = TEMPLATES[language][f"{kind}:{source}"]
    media = MEDIA_NAMES[language].get(purpose, MEDIA_NAMES[language][None])
    sentence = template.format(
        value=value,
        media=media,
        status=STATUS_NAMES[language].get(value, value),
        status_verb=STATUS_VERBS.get(value, value),
    )
    return sentence[0].upper() + sentence[1:]
