"""What the customer is told about their media, in English and Spanish, keyed by stable code.

Conversation designers: edit the wording here (each entry is a short reason and advice the
customer can act on with the phone in their hand). Code changes are not needed; the codes
are stable and also used in metrics and by the capture flows, so do not rename them.

``message(code, language)`` gives "reason — advice" in the language (English by default).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, dict[str, str]]] = {
    # --- refusals: the file itself cannot be used ---
    "unsupported_type": {
        "en": {
            "reason": "I can't open this kind of file",
            "advice": "please send a photo (JPEG or PNG), a short video or a PDF instead",
        },
        "es": {
            "reason": "No puedo abrir este tipo de archivo",
            "advice": "envía una foto (JPEG o PNG), un vídeo corto o un PDF",
        },
    },
    "wrong_kind": {
        "en": {
            "reason": "This isn't the kind of file I need here",
            "advice": "please send what I asked for (for example a photo rather than a video)",
        },
        "es": {
            "reason": "Este no es el tipo de archivo que necesito aquí",
            "advice": "envía lo que te pedí (por ejemplo una foto en lugar de un vídeo)",
        },
    },
    "too_large": {
        "en": {
            "reason": "The file is too large",
            "advice": "send it as a normal photo or a shorter video rather than as a document",
        },
        "es": {
            "reason": "El archivo es demasiado grande",
            "advice": "envíalo como foto normal o un vídeo más corto, no como documento",
        },
    },
    "too_long": {
        "en": {
            "reason": "The video is too long",
            "advice": "record a short clip (under a minute) showing just the problem",
        },
        "es": {
            "reason": "El vídeo es demasiado largo",
            "advice": "graba un clip corto (menos de un minuto) que muestre solo el problema",
        },
    },
    "decompression_bomb": {
        "en": {
            "reason": "The image is far too big to process",
            "advice": "take a normal photo with the phone's camera and send that",
        },
        "es": {
            "reason": "La imagen es demasiado grande para procesarla",
            "advice": "haz una foto normal con la cámara del teléfono y envíala",
        },
    },
    "cannot_clean": {
        "en": {
            "reason": "I couldn't safely remove the location data from this file",
            "advice": "please send it as a normal photo or a screenshot instead",
        },
        "es": {
            "reason": "No pude quitar de forma segura los datos de ubicación de este archivo",
            "advice": "envíalo como foto normal o como captura de pantalla",
        },
    },
    "document_type": {
        "en": {
            "reason": "I can only read PDF documents, not this kind of file",
            "advice": "please save it as a PDF, or send a screenshot of the page that matters",
        },
        "es": {
            "reason": "Solo puedo leer documentos PDF, no este tipo de archivo",
            "advice": "guárdalo como PDF, o envía una captura de pantalla de la página importante",
        },
    },
    "too_slow": {
        "en": {
            "reason": "This file took me too long to read",
            "advice": "please send a photo or screenshot of just the part that matters "
            "(the label, the error or the receipt), or a shorter video",
        },
        "es": {
            "reason": "Este archivo me llevó demasiado tiempo de leer",
            "advice": "envía una foto o captura solo de la parte importante "
            "(la etiqueta, el error o el recibo), o un vídeo más corto",
        },
    },
    "corrupt": {
        "en": {
            "reason": "The file arrived damaged or incomplete",
            "advice": "please send it again",
        },
        "es": {
            "reason": "El archivo llegó dañado o incompleto",
            "advice": "por favor, envíalo de nuevo",
        },
    },
    "polyglot": {
        "en": {
            "reason": "This file contains more than a photo, so I can't open it safely",
            "advice": "take a screenshot or photo of it and send that instead",
        },
        "es": {
            "reason": "Este archivo contiene algo más que una foto y no puedo abrirlo "
            "con seguridad",
            "advice": "haz una captura o una foto y envíala en su lugar",
        },
    },
    "protected_document": {
        "en": {
            "reason": "The PDF is password-protected",
            "advice": "send a screenshot of the page or a PDF without a password",
        },
        "es": {
            "reason": "El PDF está protegido con contraseña",
            "advice": "envía una captura de la página o un PDF sin contraseña",
        },
    },
    "empty_document": {
        "en": {
            "reason": "The document has no pages I can read",
            "advice": "send a photo or screenshot of the document instead",
        },
        "es": {
            "reason": "El documento no tiene páginas que pueda leer",
            "advice": "envía una foto o captura del documento",
        },
    },
    # --- quality problems: the file opens but is not usable as it is ---
    "too_dark": {
        "en": {
            "reason": "The photo is too dark",
            "advice": "turn on a light or move to a window and take it again",
        },
        "es": {
            "reason": "La foto está demasiado oscura",
            "advice": "enciende una luz o acércate a una ventana y hazla de nuevo",
        },
    },
    "too_bright": {
        "en": {
            "reason": "The photo is too bright and washed out",
            "advice": "move out of direct sunlight or turn off the flash and try again",
        },
        "es": {
            "reason": "La foto está demasiado clara y se ve quemada",
            "advice": "apártate de la luz directa del sol o apaga el flash e inténtalo otra vez",
        },
    },
    "blurry": {
        "en": {
            "reason": "The photo is blurry",
            "advice": "hold the phone still, tap the screen on the item to focus, then take it",
        },
        "es": {
            "reason": "La foto está borrosa",
            "advice": "sujeta el teléfono quieto, toca la pantalla sobre el objeto para enfocar "
            "y hazla",
        },
    },
    "low_resolution": {
        "en": {
            "reason": "The picture is too small to see the details",
            "advice": "send the original photo from the camera, not a thumbnail or a crop",
        },
        "es": {
            "reason": "La imagen es demasiado pequeña para ver los detalles",
            "advice": "envía la foto original de la cámara, no una miniatura ni un recorte",
        },
    },
    "low_contrast": {
        "en": {
            "reason": "The picture looks faded and flat",
            "advice": "wipe the camera lens and take the photo with more light on the item",
        },
        "es": {
            "reason": "La imagen se ve apagada y sin contraste",
            "advice": "limpia la lente de la cámara y haz la foto con más luz sobre el objeto",
        },
    },
    "glare": {
        "en": {
            "reason": "There is a bright reflection covering part of it",
            "advice": "tilt the phone a little or turn off the flash so the light doesn't reflect",
        },
        "es": {
            "reason": "Hay un reflejo brillante que tapa una parte",
            "advice": "inclina un poco el teléfono o apaga el flash para evitar el reflejo",
        },
    },
    "no_text": {
        "en": {
            "reason": "I can't read any text in it",
            "advice": "get closer so the writing fills most of the picture, and keep it sharp",
        },
        "es": {
            "reason": "No consigo leer ningún texto",
            "advice": "acércate para que lo escrito ocupe casi toda la imagen y que salga nítido",
        },
    },
    "no_identifier": {
        "en": {
            "reason": "I can't read a model or serial number",
            "advice": "get closer to the sticker so the model and serial number fill the "
            "picture, or type them here",
        },
        "es": {
            "reason": "No consigo leer un número de modelo o de serie",
            "advice": "acércate a la etiqueta para que el modelo y el número de serie ocupen "
            "la foto, o escríbelos aquí",
        },
    },
    "rotated": {
        "en": {
            "reason": "The picture is sideways or upside down",
            "advice": "no need to resend; next time hold the phone upright",
        },
        "es": {
            "reason": "La imagen está de lado o boca abajo",
            "advice": "no hace falta reenviarla; la próxima vez sujeta el teléfono derecho",
        },
    },
    "no_clear_frame": {
        "en": {
            "reason": "None of the video frames is sharp enough",
            "advice": "film slowly and hold the phone steady for a few seconds on the item",
        },
        "es": {
            "reason": "Ningún fotograma del vídeo está lo bastante nítido",
            "advice": "graba despacio y mantén el teléfono quieto unos segundos sobre el objeto",
        },
    },
}

FALLBACK_LANGUAGE = "en"


def message(code: str, language: str = FALLBACK_LANGUAGE) -> str:
    """The customer-facing sentence for ``code``: "Reason: advice." in ``language``."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code.replace("_", " ")
    text = entry.get(language) or entry[FALLBACK_LANGUAGE]
    return f"{text['reason']}: {text['advice']}."


def advice(code: str, language: str = FALLBACK_LANGUAGE) -> str:
    """Only the advice part (for a follow-up prompt that already named the problem)."""
    entry = MESSAGES.get(code)
    if entry is None:
        return ""
    return (entry.get(language) or entry[FALLBACK_LANGUAGE])["advice"]
