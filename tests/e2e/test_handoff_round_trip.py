"""Issue 7's round trip on the real product: a case the bot cannot solve reaches the agent
console with its photo, fields and summary; the agent's reply reaches the customer on
WhatsApp; while the agent has the case the bot stays quiet; closing the case brings the bot
back with the satisfaction question."""

from __future__ import annotations

import httpx
import pytest

from helpdesk.console.agents import add_agent
from helpdesk.db import session_scope
from helpdesk.settings import get_settings
from tests.helpdesk.capture.images import error_screenshot
from tests.support.servers import serve_app
from tests.support.whatsapp import WhatsAppStack

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def test_unsolved_case_goes_to_an_agent_and_back_to_the_bot(
    whatsapp_product: WhatsAppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk.console.app import ConsoleConfig, create_app

    stack, customer = whatsapp_product, "15557770000"
    for name in (
        "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_GRAPH_URL", "HELPDESK_DATABASE_URL",
        "HELPDESK_MEDIA_STORE",
    ):  # fmt: skip
        monkeypatch.setenv(name, stack.env[name])
    monkeypatch.setenv("HELPDESK_RASA_URL", f"http://127.0.0.1:{stack.bot_port}")
    get_settings.cache_clear()

    # The customer: an app error the knowledge base does not know.
    stack.say(customer, text="the bank app shows an error every time I open it")
    stack.wait_for_text(customer, "screenshot")
    stack.send_file(
        customer, error_screenshot("Unexpected failure.", "0x8BADF00D"), "image/png", "e.png"
    )
    stack.wait_for_text(customer, "Which app or device")
    stack.say(customer, text="the bank app on my android phone")
    notice = stack.wait_for_text(customer, "Your case number is #")

    with session_scope(stack.database_url) as session:
        add_agent(session, username="alice", password=PASSWORD, role="agent")
    config = ConsoleConfig(session_secret="s" * 40, database_url=stack.database_url)
    with serve_app(create_app(config), path="/login") as console:
        token = httpx.post(
            f"{console}/api/login", json={"username": "alice", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        tickets = httpx.get(f"{console}/api/tickets", headers=auth).json()
        ticket = next(t for t in tickets["tickets"] if t["customer"] == customer)
        assert f"#{ticket['id']}" in notice
        assert ticket["queue"] == "software"
        detail = httpx.get(f"{console}/api/tickets/{ticket['id']}", headers=auth).json()
        assert "0x8BADF00D" in {f["value"] for f in detail["fields"]}
        assert detail["media"] and detail["media"][0]["kind"] == "image"
        assert detail["summary"]

        # The agent replies; the customer reads it on WhatsApp.
        reply = "Hi, I'm Alice. Please reinstall the app from the store."
        answer = httpx.post(
            f"{console}/api/tickets/{ticket['id']}/replies", json={"text": reply}, headers=auth
        )
        assert answer.status_code == 201, answer.text
        stack.wait_for_text(customer, "I'm Alice")

        # While the agent has the case, the customer's words go to the ticket, not the bot.
        before = len(stack.replies(customer))
        stack.say(customer, text="ok trying that now")
        stack.wait_for(
            lambda: any(
                m["text"] == "ok trying that now"
                for m in httpx.get(f"{console}/api/tickets/{ticket['id']}", headers=auth).json()[
                    "messages"
                ]
            ),
            what="the customer's message on the ticket",
        )
        assert len(stack.replies(customer)) == before

        # Closing the case brings the bot back with the satisfaction question.
        closed = httpx.post(f"{console}/api/tickets/{ticket['id']}/close", headers=auth)
        assert closed.status_code == 200, closed.text
        assert closed.json().get("bot_resumed") is True, closed.text
        stack.wait_for_text(customer, "How would you rate")
