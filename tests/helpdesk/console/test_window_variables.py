"""Templates with variables in the console, through the real sandbox: the ticket fills
what it knows (the customer's name, the case number), the agent types the rest, and what
reaches Graph API is Meta's ``components`` body; values Meta would refuse are refused
with words, and nothing is sent."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from helpdesk.whatsapp import templates
from tests.helpdesk.console.conftest import VARIABLE_TEMPLATE, Stack, csrf, hand_off

CUSTOMER = "15550007788"


@pytest.fixture(autouse=True)
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "whatsapp_templates.yml"
    path.write_text(
        "templates:\n"
        f"  - name: {VARIABLE_TEMPLATE}\n"
        "    title: News about the case\n"
        "    parameters:\n"
        "      - {label: Customer name, from: customer_name, max_length: 40}\n"
        "      - {label: Case number, from: case_id, max_length: 12}\n"
        "      - {label: What happened, max_length: 60}\n"
        "    text:\n"
        "      en: 'Hello {{1}}, there is news about your case #{{2}}: {{3}}.'\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(templates, "CATALOGUE_PATH", path)


def _sent(stack: Stack, wait_for) -> dict:  # type: ignore[no-untyped-def]
    got = wait_for(
        lambda: [m for m in stack.received(CUSTOMER) if m.get("status") in ("delivered", "read")]
    )
    return got[-1]["payload"]["template"]


def test_the_ticket_fills_the_variables_and_meta_gets_its_components(
    stack: Stack, wait_for
) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "my order never came", hours_ago=25)
    ticket = hand_off(stack.database_url, CUSTOMER)
    window = httpx.get(f"{stack.url}/api/tickets/{ticket}/window", headers=headers).json()
    offered = next(t for t in window["templates"] if t["name"] == VARIABLE_TEMPLATE)
    # The sandbox's phone shows the customer as "Customer 7788" (their WhatsApp profile).
    assert offered["parameters"] == [
        {"label": "Customer name", "max_length": 40, "value": "Customer 7788"},
        {"label": "Case number", "max_length": 12, "value": str(ticket)},
        {"label": "What happened", "max_length": 60, "value": ""},
    ]

    refused = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/templates",
        json={"name": VARIABLE_TEMPLATE, "parameters": ["", "", "a refund\nis on its way"]},
        headers=headers,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == "template_parameters"
    assert "{{3}} (What happened) has a line break" in refused.json()["message"]
    missing = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/templates",
        json={"name": VARIABLE_TEMPLATE},
        headers=headers,
    )
    assert "{{3}} (What happened) is empty" in missing.json()["message"]
    assert stack.received(CUSTOMER) == []  # nothing reached the customer

    sent = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/templates",
        json={"name": VARIABLE_TEMPLATE, "parameters": ["", "", "your refund is on its way"]},
        headers=headers,
    )
    assert sent.status_code == 201 and sent.json()["delivery"] == "template", sent.text
    template = _sent(stack, wait_for)
    assert template["name"] == VARIABLE_TEMPLATE
    assert template["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Customer 7788"},
                {"type": "text", "text": str(ticket)},
                {"type": "text", "text": "your refund is on its way"},
            ],
        }
    ]
    shown = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers).json()
    assert shown["messages"][-1]["text"] == (
        f"[Template: News about the case] Hello Customer 7788, there is news about your case "
        f"#{ticket}: your refund is on its way."
    )


def test_the_ticket_page_form_shows_the_fields_and_escapes_what_was_typed(
    stack: Stack, wait_for
) -> None:
    stack.agent()
    stack.say(CUSTOMER, "hello", hours_ago=30)
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    page = client.get(f"/tickets/{ticket}").text
    assert f'name="p-{VARIABLE_TEMPLATE}" value="Customer 7788" maxlength="40"' in page
    assert f'name="p-{VARIABLE_TEMPLATE}" value="{ticket}" maxlength="12"' in page
    typed = "<script>alert(1)</script> & co"
    answer = client.post(
        f"/tickets/{ticket}/template",
        data={
            "template": VARIABLE_TEMPLATE,
            f"p-{VARIABLE_TEMPLATE}": ["Ana", str(ticket), typed],
            "csrf": csrf(client, f"/tickets/{ticket}"),
        },
    )
    shown = client.get(answer.headers["location"]).text
    assert "Approved template sent." in shown
    assert typed not in shown and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in shown
    assert _sent(stack, wait_for)["components"][0]["parameters"][2]["text"] == typed

    too_long = client.post(
        f"/tickets/{ticket}/template",
        data={
            "template": VARIABLE_TEMPLATE,
            f"p-{VARIABLE_TEMPLATE}": ["Ana", str(ticket), "x" * 61],
            "csrf": csrf(client, f"/tickets/{ticket}"),
        },
    )
    shown = client.get(too_long.headers["location"]).text
    assert "is longer than 60 characters" in shown and "Fill in every field" in shown
