"""Issue 7's round trip on the real product: a case the bot cannot solve reaches the agent
console with its photo, fields and summary; the agent's reply reaches the customer on
WhatsApp; while the agent has the case the bot stays quiet; closing the case brings the bot
back with the satisfaction question."""

from __future__ import annotations

import httpx
import pytest

from tests.helpdesk.capture.images import error_screenshot
from tests.support.whatsapp import WhatsAppStack, agent_console

pytestmark = pytest.mark.e2e


def test_unsolved_case_goes_to_an_agent_and_back_to_the_bot(
    whatsapp_product: WhatsAppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack, customer = whatsapp_product, "15557770000"

    # The customer: an app error the knowledge base does not know.
    stack.say(customer, text="the bank app shows an error every time I open it")
    stack.wait_for_text(customer, "screenshot")
    stack.send_file(
        customer, error_screenshot("Unexpected failure.", "0x8BADF00D"), "image/png", "e.png"
    )
    stack.wait_for_text(customer, "Which app or device")
    stack.say(customer, text="the bank app on my android phone")
    notice = stack.wait_for_text(customer, "Your case number is #")

    with agent_console(stack, monkeypatch, username="alice") as console:
        ticket = console.ticket_of(customer)
        assert f"#{ticket['id']}" in notice
        assert ticket["queue"] == "software"
        detail = console.detail(ticket["id"])
        assert "0x8BADF00D" in {f["value"] for f in detail["fields"]}
        assert detail["media"] and detail["media"][0]["kind"] == "image"
        assert detail["summary"]

        # The agent replies; the customer reads it on WhatsApp.
        reply = "Hi, I'm Alice. Please reinstall the app from the store."
        console.reply(ticket["id"], reply)
        stack.wait_for_text(customer, "I'm Alice")

        # While the agent has the case, the customer's words go to the ticket, not the bot.
        before = len(stack.replies(customer))
        stack.say(customer, text="ok trying that now")
        stack.wait_for(
            lambda: any(
                m["text"] == "ok trying that now" for m in console.detail(ticket["id"])["messages"]
            ),
            what="the customer's message on the ticket",
        )
        assert len(stack.replies(customer)) == before

        # Closing the case brings the bot back with the satisfaction question.
        closed = httpx.post(f"{console.url}/api/tickets/{ticket['id']}/close", headers=console.auth)
        assert closed.status_code == 200, closed.text
        assert closed.json().get("bot_resumed") is True, closed.text
        stack.wait_for_text(customer, "How would you rate")
