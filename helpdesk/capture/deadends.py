"""The ways on when a customer cannot (or will not) send what a step asks for.

A request repeated word for word is a dead end. Instead, after a "can't now", a tap on skip
for a required step, or a second message that is not the media, the customer gets one
message with three ways on: continue without it (triage works on their words alone), send
it later (the flow pauses and resumes when the media arrives), or a person.
"""

from __future__ import annotations

import re
from typing import Any

CANNOT_NOW = "cannot_send_now"
CONTINUE_WITHOUT = "continue_without_media"
SEND_LATER = "send_media_later"
DEAD_END_INTENTS = frozenset({CANNOT_NOW, CONTINUE_WITHOUT, SEND_LATER})

WAYS_ON = "utter_media_ways_on"
VOICE_NOTE = "utter_voice_note"
# Replies that already say what to send next: the form's re-ask would only repeat them.
WAITING = "utter_capture_waiting"
SELF_CONTAINED = frozenset({WAYS_ON, VOICE_NOTE, WAITING})

HUSH_SLOT = "capture_hush"  # a step whose re-ask this turn's reply made unnecessary
SHOWN_SLOT = "examples_shown"  # steps whose example picture has been sent once
PAUSED_SLOT = "capture_paused"  # the form waiting for media the customer sends later

# "I don't have a photo", "I can't take a screenshot right now", "no tengo video ahora",
# "they're in the box": no media at hand. Read before the intent, because the NLU may hear
# a use case in the same words ("photo" + "box" sounds like a damaged delivery).
_NO_MEDIA = re.compile(
    r"\b("
    r"(don'?t|don’t|do not|haven'?t) (got |have )?(a |the |any )?"
    r"(photos?|pictures?|pics?|videos?|screenshots?|receipts?)"
    r"|(can'?t|can’t|cannot|can not|couldn'?t) "
    r"(take|send|make|get|do|film|record|screenshot|photograph|shoot)"
    r"|(not|n't) (right )?now"
    r"|no (photo|picture|video|screenshot) (now|right now|at hand|with me)"
    r"|no tengo (la |el |una |un |ninguna )?(foto|video|vídeo|captura|comprobante|recibo|imagen)"
    r"|no (puedo|podr[eé]) (mandar|enviar|sacar|tomar|hacer|grabar)"
    r"|ahora (mismo )?no (puedo|tengo)|ahora no\W*$"
    r"|en este momento no"
    r")\b",
    flags=re.IGNORECASE,
)
_LATER = re.compile(
    r"^\W*(later|maybe later|i'?ll send it later|send it later|luego|m[aá]s tarde|despu[eé]s"
    r"|te lo (mando|env[ií]o) (luego|despu[eé]s|m[aá]s tarde))\W*$",
    flags=re.IGNORECASE,
)


def dead_end_intent(intent: str | None, text: str | None) -> str | None:
    """The way-on intent of this message, from the NLU or from the words themselves."""
    if intent in DEAD_END_INTENTS:
        return intent
    words = (text or "").strip()
    if not words or words.startswith("/"):
        return None
    if _LATER.search(words):
        return SEND_LATER
    if _NO_MEDIA.search(words):
        return CANNOT_NOW
    return None


KNOWN_FACTS = ("order_number",)  # facts a first request also asks for (see media_prompt)

_STEP_WORDS = {
    "damage_photo": ("a photo of the damage", "una foto del daño"),
    "product_label_photo": ("a photo of the product label", "una foto de la etiqueta del producto"),
    "error_screenshot": ("a screenshot of the error", "una captura de pantalla del error"),
    "payment_evidence": (
        "the receipt or a screenshot of the payment",
        "el comprobante o una captura del pago",
    ),
    "item_photo": ("a photo of the item", "una foto del artículo"),
    "appliance_media": (
        "a short video (or a photo) of the appliance",
        "un video corto (o una foto) del equipo",
    ),
    "appliance_label_photo": ("a photo of the model label", "una foto de la etiqueta del modelo"),
}


def step_words(slot: str, language: str) -> str:
    """What a media step asks for, as a phrase for a short re-ask."""
    en, es = _STEP_WORDS.get(slot, ("a photo", "una foto"))
    return es if language == "es" else en


# A first request that also asks for a fact, with its wording for when the fact is known
# ("… and type your order number" once the customer wrote it: never ask for what was said).
_KNOWN_FACT_ASKS = {"item_photo": ("order_number", "utter_ask_item_photo_known_order")}


def media_prompt(
    slot: str, slots: dict[str, Any], language: str
) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """How the form asks for a media step: (response or None, its params, slot updates).

    The full request with its example picture goes once per step; after that a short
    reminder; and nothing when this turn's reply already said what to do next. ``slots``
    holds the hush and shown slots, and the facts a first request may also ask for.
    """
    if slots.get(HUSH_SLOT) == slot:
        return None, {}, {HUSH_SLOT: None}
    shown = list(slots.get(SHOWN_SLOT) or [])
    if slot in shown:
        return "utter_reask_media", {"what": step_words(slot, language)}, {}
    fact, known_ask = _KNOWN_FACT_ASKS.get(slot, (None, None))
    if fact is not None and slots.get(fact) is not None:
        return known_ask, {}, {SHOWN_SLOT: [*shown, slot]}
    return f"utter_ask_{slot}", {}, {SHOWN_SLOT: [*shown, slot]}
