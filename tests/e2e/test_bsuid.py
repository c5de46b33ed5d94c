"""A customer who uses a WhatsApp username and shares no phone number (only a BSUID) goes
through a capture flow and a handoff on the real product; the agent answers from the
console; every message reaches them addressed with ``recipient``; erasure by BSUID."""

from __future__ import annotations

import httpx
import pytest

from helpdesk.console.agents import add_agent
from helpdesk.console.app import ConsoleConfig, create_app
from helpdesk.db import session_scope
from helpdesk.db.models import Ticket, WhatsAppIdentity
from helpdesk.erasure import erase_customer
from helpdesk.settings import get_settings
from tests.helpdesk.capture.images import error_screenshot
from tests.support.servers import serve_app
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
BSUID = "US.13491208655302741918"


def test_username_only_customer_capture_handoff_agent_reply_and_erasure(
    whatsapp_product: WhatsAppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = whatsapp_product
    for name in (
        "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_GRAPH_URL", "HELPDESK_DATABASE_URL",
        "HELPDESK_MEDIA_STORE",
    ):  # fmt: skip
        monkeypatch.setenv(name, stack.env[name])
    monkeypatch.setenv("HELPDESK_RASA_URL", f"http://127.0.0.1:{stack.bot_port}")
    get_settings.cache_clear()

    stack.say(BSUID, text="the bank app shows an error every time I open it", username="@ana.b")
    stack.wait_for_text(BSUID, "screenshot")
    stack.send_file(
        BSUID, error_screenshot("Unexpected failure.", "0x8BADF00D"), "image/png", "e.png"
    )
    stack.wait_for_text(BSUID, "Which app or device")
    stack.say(BSUID, text="the bank app on my android phone")
    notice = stack.wait_for_text(BSUID, "Your case number is #")

    with session_scope(stack.database_url) as session:
        add_agent(session, username="bsuid-agent", password=PASSWORD, role="agent")
    config = ConsoleConfig(session_secret="s" * 40, database_url=stack.database_url)
    reply = "Hi, I'm Alice. Please reinstall the app from the store."
    with serve_app(create_app(config), path="/login") as console:
        token = httpx.post(
            f"{console}/api/login", json={"username": "bsuid-agent", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        tickets = httpx.get(f"{console}/api/tickets", headers=auth).json()["tickets"]
        ticket = next(t for t in tickets if t["customer"] == BSUID)
        assert f"#{ticket['id']}" in notice
        # The console knows them by their username; no phone number is needed anywhere.
        assert (ticket["username"], ticket["phone"], ticket["bsuid"]) == ("@ana.b", None, BSUID)
        answer = httpx.post(
            f"{console}/api/tickets/{ticket['id']}/replies", json={"text": reply}, headers=auth
        )
        assert answer.status_code == 201, answer.text
    stack.wait_for_text(BSUID, reply)

    # Rasa got the username and the BSUID with every turn, for actions to greet them by.
    tracker = httpx.get(
        f"http://127.0.0.1:{stack.bot_port}/conversations/{BSUID}/tracker",
        params={"token": stack.env["HELPDESK_RASA_TOKEN"]},
        timeout=30,
    ).json()
    turns = [e for e in tracker["events"] if e["event"] == "user"]
    assert turns and all(e["metadata"].get("username") == "@ana.b" for e in turns)
    assert all(e["metadata"].get("bsuid") == BSUID for e in turns)

    replies = stack.replies(BSUID)
    assert len(replies) >= 4
    for message in replies:  # no phone number anywhere: every message went by BSUID
        assert message["payload"].get("recipient") == BSUID and "to" not in message["payload"]

    report = erase_customer(sender_id=BSUID, url=stack.database_url)
    assert report.total > 0
    with session_scope(stack.database_url) as session:
        assert session.query(Ticket).filter(Ticket.sender_id == BSUID).count() == 0
        assert session.query(WhatsAppIdentity).filter_by(user_id=BSUID).count() == 0
