"""In headless Chromium (Debian's): an agent signs in, opens the handed-off ticket, sees the
customer's photo and the OCR fields, replies, and the customer receives it in the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.helpdesk.console.conftest import (
    PASSWORD,
    Stack,
    hand_off,
    label_photo,
    store_customer_media,
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CUSTOMER = "15559876543"


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def test_agent_handles_a_handed_off_case_in_the_browser(
    stack: Stack, browser: Browser, wait_for
) -> None:
    stack.agent("alice")
    stack.say(CUSTOMER, "The blender jar cracked, here is the label")
    photo = store_customer_media(stack.database_url, CUSTOMER, label_photo())
    ticket = hand_off(
        stack.database_url,
        CUSTOMER,
        media_ids=[photo],
        transcript=[
            {"who": "customer", "text": "The blender jar cracked"},
            {"who": "bot", "text": "Please send a photo of the label."},
            {"who": "customer", "media_id": photo},
        ],
    )
    page = browser.new_page()
    page.goto(stack.url + "/")
    assert page.url.startswith(stack.url + "/login")  # not signed in: the sign-in page
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # The queue lists the case (filled by the poll, no reload) and opens it on click.
    row = page.locator(f"tr[data-ticket='{ticket}']")
    row.wait_for()
    assert "damaged_product" in row.inner_text()
    row.click()
    page.wait_for_url(f"**/tickets/{ticket}")

    # The photo is shown, decoded from the encrypted store.
    image = page.locator(f"figure[data-media-id='{photo}'] img")
    image.wait_for()
    assert (
        page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 1200
    )
    values = page.locator(f"figure[data-media-id='{photo}'] dd.field-value").all_inner_texts()
    assert "BX-200" in values and "SN48213771" in values
    assert "SERIAL NO: SN48213771" in page.locator("pre.ocr").inner_text()
    assert "model number BX-200" in page.locator("pre.summary").inner_text()

    # A canned response fills the box; the agent adds a line and sends.
    page.select_option("#canned", "greeting")
    assert page.input_value("#reply-text").startswith("Hello, I'm taking over your case")
    page.fill("#reply-text", "Hi! Your serial SN48213771 qualifies for a new jar.")
    page.click("#reply-form button[type=submit]")
    page.locator(".flash.ok").wait_for()
    assert "Reply sent." in page.locator(".flash.ok").inner_text()

    got = wait_for(lambda: stack.received(CUSTOMER))
    assert (
        got[-1]["payload"]["text"]["body"] == "Hi! Your serial SN48213771 qualifies for a new jar."
    )
    assert "with agent" in page.locator("#status").inner_text()


def test_an_admin_browses_the_api_docs_under_the_consoles_csp(
    stack: Stack, browser: Browser
) -> None:
    stack.agent("root", role="admin")
    page = browser.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    page.goto(stack.url + "/docs")
    assert page.url.startswith(stack.url + "/login?next=/docs")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/docs")
    # Swagger UI, from the console's own files, lists the API read from /openapi.json.
    operation = page.locator(".opblock-summary-path", has_text="/api/tickets/{ticket_id}/replies")
    operation.first.wait_for()
    assert "Visual Helpdesk console" in page.locator(".info .title").inner_text()
    assert refused == []
