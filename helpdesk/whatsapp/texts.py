"""What the channel itself says to customers (not the dialogue's responses), en and es."""

from __future__ import annotations

TEXTS = {
    "failed": {
        "en": "Sorry, something went wrong on our side and I could not read your last message. "
        "Please send it again in a moment.",
        "es": "Lo siento, algo salió mal de nuestro lado y no pude leer tu último mensaje. "
        "Por favor, envíalo de nuevo en un momento.",
    },
    "media_failed": {
        "en": "Sorry, I could not receive your file. Please send it again.",
        "es": "Lo siento, no pude recibir tu archivo. Por favor, envíalo de nuevo.",
    },
    "media_expired": {
        "en": "Sorry, I could not get the file you sent: WhatsApp no longer keeps it for me "
        "(files can be fetched for a few days only). Please send it again.",
        "es": "Lo siento, no pude obtener el archivo que enviaste: WhatsApp ya no lo guarda "
        "para mí (solo se pueden descargar durante unos días). Por favor, envíalo de nuevo.",
    },
    "too_large": {
        "en": "That file is too large for me ({limit} MB at most for this type). "
        "Please send a smaller one, or a photo or screenshot instead.",
        "es": "Ese archivo es demasiado grande ({limit} MB como máximo para este tipo). "
        "Envía uno más pequeño, o una foto o captura de pantalla.",
    },
    "unsupported": {
        "en": "Sorry, I can't open that kind of message. You can write to me, or send a photo, "
        "a screenshot, a short video or a PDF.",
        "es": "Lo siento, no puedo abrir ese tipo de mensaje. Puedes escribirme, o enviar una "
        "foto, una captura de pantalla, un video corto o un PDF.",
    },
    "choose_number": {
        "en": "Reply with the number of your choice.",
        "es": "Responde con el número de tu opción.",
    },
    "list_button": {"en": "Options", "es": "Opciones"},
}


def text(key: str, language: str | None = None, **values: object) -> str:
    variants = TEXTS[key]
    return variants.get(language or "en", variants["en"]).format(**values)
