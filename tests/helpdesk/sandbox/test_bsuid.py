"""The sandbox plays a username-only customer as Meta does since 2026: BSUID and username in
the webhooks and no phone number anywhere; ``recipient`` accepted, a BSUID in ``to``
refused in Meta's error shape; statuses with ``recipient_user_id`` and ``pricing``; and the
error codes a test can make the next send answer with."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.sandbox import running_sandbox

TOKEN, SECRET, PHONE = "tok", "secret", "100000000000001"
BSUID, NUMBER = "US.13491208655302741918", "15551239876"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[str, list[dict]]]:
    with running_sandbox(
        access_token=TOKEN, app_secret=SECRET, phone_number_id=PHONE,
        templates={"reopen_conversation"},
    ) as running:  # fmt: skip
        yield running


def _say(url: str, wa_id: str, **body: object) -> dict:
    answer = httpx.post(f"{url}/sandbox/customers/{wa_id}/messages", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _send(url: str, **address: str) -> httpx.Response:
    body = {"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}, **address}
    return httpx.post(
        f"{url}/v21.0/{PHONE}/messages", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )


def _values(received: list[dict]) -> list[dict]:
    return [c["value"] for b in received for e in b["entry"] for c in e["changes"]]


def _statuses(received: list[dict], wamid: str, until: str = "delivered") -> list[dict]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [s for v in _values(received) for s in v.get("statuses", []) if s["id"] == wamid]
        if any(s["status"] in (until, "failed") for s in found):
            return found
        time.sleep(0.02)
    raise AssertionError(f"no {until} status for {wamid}")


def test_a_username_only_customer_reaches_the_bot_without_any_phone_number(sandbox) -> None:
    url, received = sandbox
    wamid = _say(url, BSUID, text="my screen is broken", username="@ana.b", name="Ana")["messages"][
        0
    ]["id"]
    value = next(v for v in _values(received) if v.get("messages", [{}])[0].get("id") == wamid)
    message, contact = value["messages"][0], value["contacts"][0]
    assert message["from_user_id"] == BSUID and "from" not in message
    assert contact == {"profile": {"name": "Ana", "username": "@ana.b"}, "user_id": BSUID}


def test_a_phone_customer_gets_a_bsuid_beside_the_number(sandbox) -> None:
    url, received = sandbox
    wamid = _say(url, NUMBER, text="hello")["messages"][0]["id"]
    value = next(v for v in _values(received) if v.get("messages", [{}])[0].get("id") == wamid)
    assert value["messages"][0]["from"] == NUMBER
    assert value["messages"][0]["from_user_id"].startswith("US.")
    assert value["contacts"][0]["wa_id"] == NUMBER


def test_recipient_is_accepted_and_statuses_name_only_the_bsuid(sandbox) -> None:
    url, received = sandbox
    _say(url, BSUID, text="hi", username="@ana.b")
    answer = _send(url, recipient=BSUID)
    assert answer.status_code == 200
    assert answer.json()["contacts"] == [{"input": BSUID, "user_id": BSUID}]
    wamid = answer.json()["messages"][0]["id"]
    statuses = _statuses(received, wamid)
    assert {s["status"] for s in statuses} >= {"sent", "delivered"}
    for status in statuses:
        assert status["recipient_user_id"] == BSUID and "recipient_id" not in status
        assert status["pricing"]["category"] == "service"
        assert status["pricing"]["pricing_model"] == "PMP"


def test_a_bsuid_in_to_is_refused_in_metas_error_shape(sandbox) -> None:
    url, _ = sandbox
    answer = _send(url, to=BSUID)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == 100 and error["type"] == "OAuthException" and error["fbtrace_id"]
    assert "recipient" in error["error_data"]["details"]
    assert _send(url, recipient="not-a-bsuid").json()["error"]["code"] == 100


def test_to_wins_when_both_are_given(sandbox) -> None:
    url, _ = sandbox
    _say(url, NUMBER, text="hi")
    answer = _send(url, to=NUMBER, recipient=BSUID)
    assert answer.json()["contacts"][0]["wa_id"] == NUMBER
    items = httpx.get(f"{url}/sandbox/customers/{NUMBER}/messages").json()["messages"]
    assert items[-1]["id"] == answer.json()["messages"][0]["id"]


@pytest.mark.parametrize("code", [368, 131056, 130429])
def test_codes_meta_answers_at_once(sandbox, code: int) -> None:
    url, _ = sandbox
    httpx.post(f"{url}/sandbox/faults", json={"target": "messages", "kind": str(code)})
    error = _send(url, recipient=BSUID).json()["error"]
    assert error["code"] == code and error["error_data"]["details"]
    assert _send(url, recipient=BSUID).status_code == 200  # the fault was used up


@pytest.mark.parametrize("code", [131048, 131026, 131047])
def test_codes_meta_reports_in_a_failed_status(sandbox, code: int) -> None:
    url, received = sandbox
    httpx.post(f"{url}/sandbox/faults", json={"target": "messages", "kind": str(code)})
    answer = _send(url, recipient=BSUID)
    assert answer.status_code == 200
    failed = _statuses(received, answer.json()["messages"][0]["id"], until="failed")
    assert failed[-1]["status"] == "failed"
    assert failed[-1]["errors"][0]["code"] == code
    assert failed[-1]["recipient_user_id"] == BSUID


def test_a_voice_note_is_played_when_the_customer_opens_the_chat(sandbox) -> None:
    url, received = sandbox
    _say(url, BSUID, text="send me the voice note")
    upload = httpx.post(
        f"{url}/v21.0/{PHONE}/media",
        data={"messaging_product": "whatsapp", "type": "audio/ogg"},
        files={"file": ("note.ogg", b"OggS" + b"\0" * 64, "audio/ogg")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    body = {
        "messaging_product": "whatsapp",
        "recipient": BSUID,
        "type": "audio",
        "audio": {"id": upload.json()["id"]},
    }
    answer = httpx.post(
        f"{url}/v21.0/{PHONE}/messages", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    wamid = answer.json()["messages"][0]["id"]
    _statuses(received, wamid)
    httpx.get(f"{url}/sandbox/customers/{BSUID}/messages")  # the customer opens the chat
    assert any(s["status"] == "played" for s in _statuses(received, wamid, until="played"))


def test_a_malformed_customer_id_or_username_is_refused(sandbox) -> None:
    url, _ = sandbox
    bad = httpx.post(f"{url}/sandbox/customers/US.x-y/messages", json={"text": "hi"})
    assert bad.status_code == 400 and "business-scoped" in bad.json()["error"]["message"]
    bad = httpx.post(
        f"{url}/sandbox/customers/{BSUID}/messages", json={"text": "hi", "username": "<b>"}
    )
    assert bad.status_code == 400
