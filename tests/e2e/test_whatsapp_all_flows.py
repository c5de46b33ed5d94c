"""Each of the five capture flows, in both languages, over WhatsApp with real media."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpdesk.capture.images import (
    error_screenshot,
    product_photo,
    receipt_screenshot,
    short_video_bytes,
)
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e

# flow: (opening message, steps, words of the summary) per language. A step is
# ("file", maker, mime, caption) or ("text", words) or ("button", title).
FLOWS = {
    "damaged": {
        "en": ("my new lamp arrived with the glass shade smashed",
               [("file", "photo", None), ("button", "Skip")], "Photo of the damage: received"),
        "es": ("me llegó la lámpara con la pantalla de vidrio rota",
               [("file", "photo", None), ("button", "Omitir")], "Foto del daño: recibida"),
    },
    "software": {
        "en": ("windows update keeps failing with an error",
               [("file", "screenshot", None), ("text", "windows 11 laptop")],
               "Screenshot of the error: received"),
        "es": ("la actualización de windows falla con un error",
               [("file", "screenshot", None), ("text", "portátil con windows 11")],
               "Captura del error: recibida"),
    },
    "payment": {
        "en": ("my payment failed but the money left my account",
               [("file", "receipt", None), ("button", "Yes"), ("button", "Yes")],
               "Transaction id: 841277630921"),
        "es": ("mi pago falló pero me quitaron el dinero",
               [("file", "receipt", None), ("button", "Sí"), ("button", "Sí")],
               "Id de transacción: 841277630921"),
    },
    "return": {
        "en": ("I want to return this jacket, it doesn't fit",
               [("file", "photo", "order #118734")], "Order number: #118734"),
        "es": ("quiero devolver esta chaqueta, no me queda",
               [("file", "photo", "pedido #118734")], "Número de pedido: #118734"),
    },
    "appliance": {
        "en": ("my washing machine won't drain and shows E21",
               [("file", "video", None), ("button", "Skip")],
               "Video or photos of the appliance: received"),
        "es": ("mi lavadora no desagua y marca E21",
               [("file", "video", None), ("button", "Omitir")],
               "Video o fotos del equipo: recibida"),
    },
}  # fmt: skip


def _media(kind: str, tmp_path: Path) -> tuple[bytes, str, str]:
    if kind == "photo":
        return product_photo(), "image/jpeg", "photo.jpg"
    if kind == "screenshot":
        return error_screenshot("Access is denied.", "0x80070005"), "image/png", "shot.png"
    if kind == "receipt":
        return receipt_screenshot("841277630921"), "image/png", "receipt.png"
    return short_video_bytes(tmp_path), "video/mp4", "clip.mp4"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_flow_runs_end_to_end(
    whatsapp_product: WhatsAppStack, flow: str, language: str, tmp_path: Path
) -> None:
    stack = whatsapp_product
    customer = f"1555{sorted(FLOWS).index(flow)}{'01' if language == 'en' else '02'}4433"
    opening, steps, summary = FLOWS[flow][language]
    stack.say(customer, text=opening)
    # The inbox handles one customer's messages in order, one turn at a time, so files and
    # texts can be sent right away; a button can only be tapped once the bot has sent it.
    for step in steps:
        if step[0] == "file":
            data, mime, name = _media(step[1], tmp_path)
            stack.send_file(customer, data, mime, name, caption=step[2])
        elif step[0] == "text":
            stack.say(customer, text=step[1])
        else:
            stack.tap(customer, step[1])
    stack.wait_for_text(customer, summary, timeout=120)
