"""The satisfaction survey as a template, through the real channel and the sandbox: sent
once the customer's window has closed, its quick-reply tap reaches the dialogue as the
same ``/rate{"score":…}`` payload the bot's own 1-5 buttons carry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from helpdesk.settings import get_settings
from helpdesk.tickets.survey import ask_by_template
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.outbound import Sender
from tests.support.whatsapp import WhatsAppStack

CUSTOMER = "15550004455"
SURVEY = "csat_survey"


@pytest.fixture
def stack(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Iterator[WhatsAppStack]:  # type: ignore[no-untyped-def]
    with WhatsAppStack(tmp_path_factory.mktemp("wa-survey")) as running:
        running.sandbox_config.templates.add(SURVEY)
        for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_GRAPH_URL"):
            monkeypatch.setenv(name, running.env[name])
        monkeypatch.setenv("HELPDESK_DATABASE_URL", running.database_url)
        monkeypatch.setenv("WHATSAPP_SURVEY_TEMPLATE", SURVEY)
        get_settings.cache_clear()
        yield running
    get_settings.cache_clear()


async def _ask(stack: WhatsAppStack) -> bool:
    client = GraphClient.from_settings()
    try:
        sender = Sender(client, url=stack.database_url)
        return await ask_by_template(sender, CUSTOMER, language="en", url=stack.database_url)
    finally:
        await client.aclose()


def test_survey_template_tap_reaches_the_dialogue_as_a_score(stack: WhatsAppStack) -> None:
    stack.say(CUSTOMER, text="thanks", timestamp=int(time.time() - 26 * 3600))
    stack.wait_for(lambda: stack.echo_turns(), what="the old message processed")
    assert asyncio.run(_ask(stack)) is True
    sent = stack.wait_for(
        lambda: [m for m in stack.replies(CUSTOMER) if m["type"] == "template"],
        what="the survey template",
    )
    buttons = sent[-1]["payload"]["template"]["components"]
    payload = buttons[0]["parameters"][0]["payload"]
    stack.say(CUSTOMER, button={"payload": payload, "text": "5"})
    turn = stack.wait_for(
        lambda: next((t for t in stack.echo_turns() if t["text"].startswith("/rate")), None),
        what="the tap as a turn",
    )
    assert turn["text"] == '/rate{"score":"5"}'
    assert turn["meta"]["button_title"] == "5"


def test_no_survey_template_inside_the_window(stack: WhatsAppStack) -> None:
    stack.say(CUSTOMER, text="thanks")
    stack.wait_for(lambda: stack.echo_turns(), what="the message processed")
    assert asyncio.run(_ask(stack)) is False  # the bot asks itself, with buttons
    assert not [m for m in stack.replies(CUSTOMER) if m["type"] == "template"]
