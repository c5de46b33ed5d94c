"""A customer known by a WhatsApp username and a BSUID, without a phone number: the queue
and the ticket show the username, the phone only when Meta shares it, and nothing needs
one (the agent's reply goes by BSUID)."""

from __future__ import annotations

import httpx

from tests.helpdesk.console.conftest import Stack, hand_off

BSUID = "US.13491208655302741918"
PHONE_CUSTOMER = "15550007788"


def test_username_only_customer_in_the_queue_and_on_the_ticket(stack: Stack, wait_for) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(BSUID, "my app crashes", username="@ana.b")
    stack.say(PHONE_CUSTOMER, "my blender broke")
    by_username = hand_off(stack.database_url, BSUID)
    by_phone = hand_off(stack.database_url, PHONE_CUSTOMER)

    listed = httpx.get(f"{stack.url}/api/tickets", headers=headers).json()["tickets"]
    who = {t["id"]: (t["username"], t["phone"], t["bsuid"]) for t in listed}
    assert who[by_username] == ("@ana.b", None, BSUID)
    # Meta gives a phone customer a BSUID too (the sandbox does as Meta does).
    assert who[by_phone][:2] == (None, PHONE_CUSTOMER) and who[by_phone][2].startswith("US.")
    queue = stack.sign_in().get("/queue.json").json()["tickets"]
    assert {t["id"]: t["username"] for t in queue}[by_username] == "@ana.b"

    page = stack.sign_in().get(f"/tickets/{by_username}").text
    assert '<b id="customer">@ana.b</b>' in page
    assert "no phone number shared" in page
    phone_page = stack.sign_in().get(f"/tickets/{by_phone}").text
    assert f'<b id="customer">+{PHONE_CUSTOMER}</b>' in phone_page

    answer = httpx.post(
        f"{stack.url}/api/tickets/{by_username}/replies",
        json={"text": "Hi Ana, please reinstall the app."},
        headers=headers,
    )
    assert answer.status_code == 201 and answer.json()["delivery"] == "sent"
    got = wait_for(lambda: stack.received(BSUID))
    assert got[-1]["payload"]["recipient"] == BSUID and "to" not in got[-1]["payload"]
