"""Issue 14's done-when over WhatsApp in the sandbox: a return whose photo another customer
already sent reaches the console with the reuse signal and both pictures; the customer who
reused it is told nothing different from the first one."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image

from helpdesk.console.agents import add_agent
from helpdesk.console.app import ConsoleConfig, create_app
from helpdesk.db import session_scope
from helpdesk.db.models import MediaRecord
from helpdesk.settings import get_settings
from tests.helpdesk.console.conftest import csrf
from tests.support.servers import serve_app
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
PHOTO = "tests/data/authenticity/sharp_skimage_coffee.jpg"
FIRST, SECOND = "15557000101", "15557000202"


def _photo(quality: int, scale: float = 1.0) -> bytes:
    with Image.open(PHOTO) as image:
        image = image.convert("RGB")
        if scale != 1.0:
            image = image.resize((round(image.width * scale), round(image.height * scale)))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _return(stack: WhatsAppStack, customer: str, photo: bytes) -> str:
    """The return flow up to its summary; the summary as the customer read it."""
    stack.say(customer, text="I want to return this coffee cup, it doesn't fit my machine")
    stack.send_file(customer, photo, "image/jpeg", "cup.jpg", caption="order #118734")
    stack.wait_for_text(customer, "Order number: #118734", timeout=180)
    summary = next(t for t in stack.reply_texts(customer) if "Order number: #118734" in t)
    return summary.split("Order number: #118734")[0]


def test_a_return_with_another_customers_photo_shows_the_reuse_on_the_ticket(
    whatsapp_product: WhatsAppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = whatsapp_product
    for name in ("HELPDESK_DATABASE_URL", "HELPDESK_MEDIA_STORE", "HELPDESK_MEDIA_KEY"):
        if name in stack.env:
            monkeypatch.setenv(name, stack.env[name])
    get_settings.cache_clear()
    first = _return(stack, FIRST, _photo(92))
    # The same photo, re-encoded by another phone and shrunk (what a forwarded copy is).
    second = _return(stack, SECOND, _photo(70, scale=0.8))
    # The strong signal hands the case to a person instead of offering a fix.
    notice = stack.wait_for_text(SECOND, "Your case number is #", timeout=180)

    # The customer is told nothing different: the same capture, word for word, then the
    # usual handoff notice, with nothing about the earlier photo.
    assert second == first
    assert re.search(r"Your case number is #\d+\. An agent will reply right here", notice)
    words = stack.everything(SECOND).lower()
    assert not any(w in words for w in ("fraud", "reuse", "suspic", "match", "another customer"))
    with session_scope(stack.database_url) as session:
        first_media = {
            m.id for m in session.query(MediaRecord).filter(MediaRecord.sender_id == FIRST)
        }
    assert first_media

    with session_scope(stack.database_url) as session:
        add_agent(session, username="reuse-agent", password=PASSWORD, role="agent")
    config = ConsoleConfig(session_secret="s" * 40, database_url=stack.database_url)
    with serve_app(create_app(config), path="/login") as console:
        token = httpx.post(
            f"{console}/api/login", json={"username": "reuse-agent", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        tickets = httpx.get(f"{console}/api/tickets", headers=auth).json()["tickets"]
        later = next(t for t in tickets if t["customer"] == SECOND)
        assert later["queue"] == "fraud_review"  # a person decides; nothing was refused
        detail = httpx.get(f"{console}/api/tickets/{later['id']}", headers=auth).json()
        signals = [s for m in detail["media"] for s in m["analysis"]["authenticity"]["signals"]]
        reuse = next(s for s in signals if s["code"] == "reused_other_customer")
        assert reuse["evidence"]["matching_media_id"] in first_media
        assert reuse["evidence"]["media_id"] in {m["id"] for m in detail["media"]}
        assert "reused_other_customer" in detail["summary"]
        # The agent's page: the signal with both pictures side by side.
        browser = httpx.Client(base_url=console)
        form = {"username": "reuse-agent", "password": PASSWORD, "csrf": csrf(browser, "/login")}
        assert browser.post("/login", data=form).status_code == 303
        page = browser.get(f"/tickets/{later['id']}").text
        assert "reused other customer" in page
        assert f'src="/media/{reuse["evidence"]["media_id"]}"' in page
        assert f'src="/media/{reuse["evidence"]["matching_media_id"]}"' in page
