"""A person in the sandbox's web chat talks to the real assistant (trained model, Rasa
server with the WhatsApp channel, action server) in headless Chromium: text, a tapped list
row, and a photo, each answered by the bot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.support.servers import PROJECT_ROOT
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _photo() -> bytes:
    image = Image.new("RGB", (640, 480), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 540, 380), outline=(20, 20, 20), width=8)
    draw.line((120, 120, 520, 360), fill=(200, 0, 0), width=10)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_person_chats_taps_and_sends_a_photo_in_the_web_chat(
    whatsapp_product: WhatsAppStack, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    customer = "15557654321"
    photo = tmp_path / "broken.jpg"
    photo.write_bytes(_photo())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.goto(whatsapp_product.sandbox_url + "/")
        page.fill("#wa-id", customer)
        page.dispatch_event("#wa-id", "change")

        page.fill("#composer-text", "hello")
        page.click("#send")
        expect(page.locator(".msg.inbound").first).to_contain_text("hello")
        greeting = page.locator(".msg.outbound").first
        expect(greeting).to_contain_text("support assistant", timeout=60_000)

        # Six menu entries arrive as a WhatsApp list: open it and tap a row.
        page.locator(".msg.outbound .list-open").last.click()
        page.locator(".msg.outbound .list-row", has_text="Damaged product").last.click()
        expect(page.locator(".msg.inbound").nth(1)).to_contain_text("Damaged product")
        expect(page.locator(".msg.outbound")).not_to_have_count(1, timeout=60_000)
        after_tap = page.locator(".msg.outbound").count()

        page.fill("#composer-text", "the screen cracked")
        page.set_input_files("#attach", str(photo))
        inbound_photo = page.locator(".msg.inbound[data-type=image]")
        expect(inbound_photo).to_have_count(1)
        expect(inbound_photo).to_contain_text("the screen cracked")
        expect(page.locator(".msg.outbound")).not_to_have_count(after_tap, timeout=90_000)
        browser.close()

    # What the bot posted to the Graph API is what the customer saw, all within Meta's rules.
    replies = whatsapp_product.replies(customer)
    assert replies and all(r["status"] in ("sent", "delivered", "read") for r in replies)
    turns = [m for m in whatsapp_product.conversation(customer) if m["direction"] == "inbound"]
    assert [t["type"] for t in turns] == ["text", "interactive", "image"]
