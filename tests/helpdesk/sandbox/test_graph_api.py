"""The sandbox's Graph API refuses what Meta refuses, in Meta's error shape."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.sandbox import running_sandbox

TOKEN, SECRET, PHONE = "tok", "secret", "100000000000001"


class Sandbox:
    def __init__(self, url: str, received: list[dict]) -> None:
        self.url = url
        self.received = received
        self.auth = {"Authorization": f"Bearer {TOKEN}"}

    def send(self, body: dict, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
        headers = kwargs.pop("headers", self.auth)
        return httpx.post(f"{self.url}/v21.0/{PHONE}/messages", json=body, headers=headers)

    def customer_says(self, wa_id: str, **body) -> dict:  # type: ignore[no-untyped-def]
        answer = httpx.post(f"{self.url}/sandbox/customers/{wa_id}/messages", json=body)
        assert answer.status_code == 200
        return answer.json()

    def statuses(self, wamid: str) -> list[dict]:
        found = []
        for body in self.received:
            for status in body["entry"][0]["changes"][0]["value"].get("statuses", []):
                if status["id"] == wamid:
                    found.append(status)
        return found


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """The sandbox, delivering its webhooks to a receiver that checks Meta's signature."""
    with running_sandbox(
        access_token=TOKEN, app_secret=SECRET, phone_number_id=PHONE, check_signature=True
    ) as (url, received):
        sandbox = Sandbox(url, received)
        sandbox.customer_says("15551230000", text="hi")
        yield sandbox


def text(body: str, to: str = "15551230000") -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def buttons(*titles: str) -> dict:
    return {
        "messaging_product": "whatsapp",
        "to": "15551230000",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Choose"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": f"id{i}", "title": t}}
                    for i, t in enumerate(titles)
                ]
            },
        },
    }


def listing(rows: int, title: str = "Row") -> dict:
    return {
        "messaging_product": "whatsapp",
        "to": "15551230000",
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Choose"},
            "action": {
                "button": "Options",
                "sections": [
                    {"title": "S", "rows": [{"id": f"r{i}", "title": title} for i in range(rows)]}
                ],
            },
        },
    }


def assert_meta_error(answer: httpx.Response, code: int, status: int = 400) -> dict:
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["type"] == "OAuthException"
    assert error["message"] and error["fbtrace_id"]
    return error


def test_a_valid_text_is_accepted_with_a_wamid(sandbox: Sandbox) -> None:
    answer = sandbox.send(text("hello"))
    assert answer.status_code == 200
    data = answer.json()
    assert data["messages"][0]["id"].startswith("wamid.")
    assert data["contacts"] == [{"input": "15551230000", "wa_id": "15551230000"}]


@pytest.mark.parametrize(
    "body,code",
    [
        (buttons("One", "Two", "Three", "Four"), 131009),
        (buttons("x" * 21), 131009),
        (buttons("Same", "Same"), 131009),
        (listing(11), 131009),
        (listing(2, title="y" * 25), 131009),
        (text("z" * 4097), 100),
        ({**text("hi"), "messaging_product": None}, 100),
        ({**text("hi"), "type": "hologram", "hologram": {}}, 100),
        (
            {
                "messaging_product": "whatsapp",
                "to": "15551230000",
                "type": "image",
                "image": {"link": "http://x/y.jpg", "caption": "c" * 1025},
            },
            131009,
        ),
        (
            {
                "messaging_product": "whatsapp",
                "to": "15551230000",
                "type": "image",
                "image": {"id": "424242"},
            },
            100,
        ),
        (
            {
                "messaging_product": "whatsapp",
                "to": "15551230000",
                "type": "template",
                "template": {"name": "not_approved", "language": {"code": "en"}},
            },
            132001,
        ),
    ],
    ids=[
        "fourth-button",
        "21-char-title",
        "duplicate-titles",
        "11-rows",
        "25-char-row",
        "4097-chars",
        "no-product",
        "unknown-type",
        "long-caption",
        "unknown-media",
        "unknown-template",
    ],
)
def test_refused_like_meta(sandbox: Sandbox, body: dict, code: int) -> None:
    error = assert_meta_error(sandbox.send(body), code)
    if code != 190:
        assert error["error_data"]["details"]


def test_limits_themselves_are_accepted(sandbox: Sandbox) -> None:
    assert sandbox.send(buttons("a" * 20, "b", "c")).status_code == 200
    assert sandbox.send(listing(10, title="t" * 24)).status_code == 200
    assert sandbox.send(text("z" * 4096)).status_code == 200


def test_bad_or_missing_token_is_190(sandbox: Sandbox) -> None:
    assert_meta_error(sandbox.send(text("x"), headers={}), 190, status=401)
    bad = {"Authorization": "Bearer nope"}
    assert_meta_error(sandbox.send(text("x"), headers=bad), 190, status=401)


def test_another_phone_number_id_does_not_exist(sandbox: Sandbox) -> None:
    answer = httpx.post(f"{sandbox.url}/v21.0/999/messages", json=text("x"), headers=sandbox.auth)
    assert assert_meta_error(answer, 100)["error_subcode"] == 33


def test_media_upload_then_download_needs_the_token_and_expires(sandbox: Sandbox) -> None:
    upload = httpx.post(
        f"{sandbox.url}/v21.0/{PHONE}/media",
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\nxxxx", "image/png")},
        headers=sandbox.auth,
    )
    media_id = upload.json()["id"]
    info = httpx.get(f"{sandbox.url}/v21.0/{media_id}", headers=sandbox.auth).json()
    assert info["mime_type"] == "image/png" and info["file_size"] == 12
    assert httpx.get(info["url"]).status_code == 401  # no bearer token
    assert httpx.get(info["url"], headers=sandbox.auth).content == b"\x89PNG\r\n\x1a\nxxxx"
    expired = info["url"].replace("ext=", "ext=1").split("&hash")[0] + "&hash=0"
    assert httpx.get(expired, headers=sandbox.auth).status_code == 404
    too_big = httpx.post(
        f"{sandbox.url}/v21.0/{PHONE}/media",
        data={"messaging_product": "whatsapp", "type": "image/jpeg"},
        files={"file": ("a.jpg", b"0" * (5 * 1024 * 1024 + 1), "image/jpeg")},
        headers=sandbox.auth,
    )
    assert_meta_error(too_big, 131053)


def _wait(condition, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_statuses_come_back_signed_sent_delivered_then_read(sandbox: Sandbox) -> None:
    wamid = sandbox.send(text("tick")).json()["messages"][0]["id"]
    _wait(lambda: len(sandbox.statuses(wamid)) == 2)
    httpx.get(f"{sandbox.url}/sandbox/customers/15551230000/messages")  # chat opened
    _wait(lambda: len(sandbox.statuses(wamid)) == 3)
    assert [s["status"] for s in sandbox.statuses(wamid)] == ["sent", "delivered", "read"]


def test_unknown_recipient_fails_with_131026(sandbox: Sandbox) -> None:
    wamid = sandbox.send(text("hello?", to="19998887777")).json()["messages"][0]["id"]
    [status] = _wait(lambda: sandbox.statuses(wamid))
    assert status["status"] == "failed"
    assert status["errors"][0]["code"] == 131026


def test_outside_the_24_hour_window_only_templates_go_through(sandbox: Sandbox) -> None:
    sandbox.customer_says("15557770000", text="old", timestamp=int(time.time()) - 25 * 3600)
    wamid = sandbox.send(text("late reply", to="15557770000")).json()["messages"][0]["id"]
    [status] = _wait(lambda: sandbox.statuses(wamid))
    assert (status["status"], status["errors"][0]["code"]) == ("failed", 131047)
    template = {
        "messaging_product": "whatsapp",
        "to": "15557770000",
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
    wamid = sandbox.send(template).json()["messages"][0]["id"]
    _wait(lambda: len(sandbox.statuses(wamid)) == 2)
    assert [s["status"] for s in sandbox.statuses(wamid)] == ["sent", "delivered"]


def test_mark_as_read_needs_a_real_inbound_message(sandbox: Sandbox) -> None:
    wamid = sandbox.customer_says("15551239999", text="read me")["messages"][0]["id"]
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    answer = sandbox.send({**read, "typing_indicator": {"type": "text"}})
    assert answer.json() == {"success": True}
    assert_meta_error(sandbox.send({**read, "message_id": "wamid.nope"}), 100)


def test_customer_api_validates_its_input(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/sandbox/customers/15551230000/messages"
    assert httpx.post(url, json={"sticker": "?"}).status_code == 400
    assert httpx.post(url, json={"button_reply": {}}).status_code == 400
    assert (
        httpx.post(f"{sandbox.url}/sandbox/customers/abc/messages", json={"text": "x"}).status_code
        == 400
    )


def _template(name: str, *values: object) -> dict:
    body: dict = {
        "messaging_product": "whatsapp",
        "to": "15551230000",
        "type": "template",
        "template": {"name": name, "language": {"code": "en"}},
    }
    if values:
        parameters = [{"type": "text", "text": v} for v in values]
        body["template"]["components"] = [{"type": "body", "parameters": parameters}]
    return body


def test_template_variables_are_checked_as_meta_checks_them() -> None:
    with running_sandbox(
        access_token=TOKEN,
        app_secret=SECRET,
        phone_number_id=PHONE,
        templates={"case_update"},
        template_parameters={"case_update": 2},
    ) as (url, _received):
        sandbox = Sandbox(url, [])
        sandbox.customer_says("15551230000", text="hi")
        assert sandbox.send(_template("case_update", "Ana", "42")).status_code == 200
        cases = [
            (("Ana",), 132000),  # one value for two placeholders
            (("Ana", "42", "extra"), 132000),
            ((), 132000),
            (("Ana", "line\nbreak"), 132018),
            (("Ana", "tab\there"), 132018),
            (("Ana", "five     spaces"), 132018),
            (("Ana", "  "), 132018),
            (("Ana", 42), 132018),  # not a string
        ]
        for values, code in cases:
            answer = sandbox.send(_template("case_update", *values))
            assert answer.status_code == 400, (values, answer.text)
            assert answer.json()["error"]["code"] == code, (values, answer.text)
        wrong_type = _template("case_update", "Ana", "42")
        wrong_type["template"]["components"][0]["parameters"][0] = {"type": "image"}
        assert sandbox.send(wrong_type).json()["error"]["code"] == 132012
