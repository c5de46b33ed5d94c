"""The WhatsApp channel through its real HTTP endpoint, with the sandbox as Meta.

The bot is ``tests/support/echo_bot.py``: the real channel (blueprint, inbox, worker, output
channel) in a Sanic server, with a scripted agent in place of a trained model.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from helpdesk.db import session_scope
from helpdesk.db.models import OutboundMessage, Reaction
from helpdesk.whatsapp.signature import HEADER, sign
from tests.support.webhooks import encode, signed_headers, text_webhook
from tests.support.whatsapp import (
    SECRETS,
    WhatsAppStack,
    iter_messages,
    media_bytes,
    pywa_fixtures,
    retarget,
)

PHONE = SECRETS["WHATSAPP_PHONE_NUMBER_ID"]
UNSUPPORTED_REPLY = "can't open that kind of message"

# What the customer (or the dialogue) gets for each fixture body.
EXPECTED_TURN = {
    "message:text": "Body Text",
    "message:reply": "replied text",
    "message:forwarded": "forwarded text",
    "message:forwarded_many_times": "text forwarded many times",
    "message:referral": "BODY",
    "message:current_location": "/location_shared",
    "message:chosen_location": "/location_shared",
    "message:contacts": "/contacts_shared",
    "callback_button:button": "callback_data",
    "callback_button:quick_reply": "callback_data",
    "callback_button:quick_reply_without_context": "callback_data",
    "callback_selection:callback": "callback_data",
    "callback_selection:description": "callback_data",
    "flow_completion:completion": "/flow_completed",
    "flow_completion:without_flow_token": "/flow_completed",
}
MEDIA = {
    "message:image": "image",
    "message:media_with_url": "image",
    "message:video": "video",
    "message:document": "document",
    "message:audio": "audio",
    "message:voice": "audio",
    "message:static_sticker": "sticker",
    "message:animated_sticker": "sticker",
}
POLITE_REFUSAL = {
    "message:unsupported",
    "message:unsupported_with_type",
    "message:order",
    "message:interactive_message_with_err",
}
QUIET = {  # recorded or logged, nothing sent to the dialogue
    "message:reaction",
    "message:unreaction_empty",
    "message:unreaction_no_emoji",
    "deleted_message:revoke",
    "edited_message:image",
    "system:phone_number_change",
    "system:identity_change",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhatsAppStack]:
    with WhatsAppStack(tmp_path_factory.mktemp("wa")) as running:
        yield running


def _wait_processed(stack: WhatsAppStack, wamids: list[str]) -> None:
    def done() -> bool:
        rows = {r.wamid: r.status for r in stack.inbox_rows()}
        return all(rows.get(w) in ("done", "failed") for w in wamids)

    stack.wait_for(done, what=f"inbox rows {wamids} processed")


def _turns_for(stack: WhatsAppStack, wamid: str) -> list[dict]:
    return [t for t in stack.echo_turns() if t["meta"].get("wamid") == wamid]


@pytest.mark.parametrize("name,body", pywa_fixtures(), ids=[n for n, _ in pywa_fixtures()])
def test_every_meta_fixture_through_the_endpoint(
    stack: WhatsAppStack, name: str, body: dict
) -> None:
    customer = "3469" + str(abs(hash(name)) % 10**7).zfill(7)
    body = retarget(body, phone_number_id=PHONE, suffix=name.replace(":", "-"))
    for message in iter_messages(body):
        message["from"] = customer
        kind = message.get("type")
        if name in MEDIA:  # point the media id at real bytes of that type in the sandbox
            data, mime = media_bytes(MEDIA[name])
            message[kind]["id"] = stack.upload(data, mime)
    answer = stack.post_webhook(body)
    assert answer.status_code == 200
    wamids = [m["id"] for m in iter_messages(body)]
    if not wamids:  # statuses: acknowledged, nothing enters the inbox
        assert not [r for r in stack.inbox_rows() if r.sender_id == customer]
        return
    _wait_processed(stack, wamids)
    turns = _turns_for(stack, wamids[0])
    if name in EXPECTED_TURN:
        assert [t["text"] for t in turns] == [EXPECTED_TURN[name]]
        meta = turns[0]["meta"]
        assert meta["wamid"] == wamids[0]
        if "context" in next(iter_messages(body)):
            assert meta["context"] == next(iter_messages(body))["context"]
        if name.endswith("location"):
            assert meta["location"]["latitude"]
        if name == "message:contacts":
            assert meta["contacts"][0]["name"]["formatted_name"] == "Chandler Bing"
        if name.startswith("flow_completion"):
            assert meta["flow_response"]["delivery_rating"] == "4"
    elif name in MEDIA:
        [turn] = turns
        assert turn["text"] == "/media_shared"
        [media] = turn["meta"]["media"]
        expected_kind = "image" if MEDIA[name] == "sticker" else MEDIA[name]
        assert media["kind"] == expected_kind
        assert media["size"] > 0 and len(media["sha256"]) == 64
        caption = next(iter_messages(body))[next(iter_messages(body))["type"]].get("caption")
        assert turn["meta"]["caption"] == caption == media["caption"]
        assert turn["meta"]["text"] == caption
        assert turn["meta"].get("voice", False) == (name == "message:voice")
    elif name in POLITE_REFUSAL:
        assert turns == []
        stack.wait_for(
            lambda: any(UNSUPPORTED_REPLY in t for t in stack.reply_texts(customer)),
            what="a polite refusal",
        )
    else:
        assert name in QUIET, f"no expectation for {name}"
        assert turns == []
        if name.startswith("message:") and "reaction" in name:
            with session_scope(stack.database_url) as session:
                rows = session.execute(
                    select(Reaction).where(Reaction.sender_id == customer)
                ).scalars()
                emoji = next(iter_messages(body))["reaction"].get("emoji") or None
                assert [(r.message_wamid, r.emoji) for r in rows] == [("wamid.yzxyzx=", emoji)]


def test_handshake(stack: WhatsAppStack) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": SECRETS["WHATSAPP_VERIFY_TOKEN"]}
    answer = httpx.get(stack.webhook_url, params={**good, "hub.challenge": "1158201444"})
    assert (answer.status_code, answer.text) == (200, "1158201444")
    for params in (
        {**good, "hub.verify_token": "guess"},
        {**good, "hub.mode": "unsubscribe"},
        {"hub.challenge": "x"},
    ):
        assert httpx.get(stack.webhook_url, params=params).status_code == 403


def _text_body(wamid: str, sender: str, text: str, phone: str = PHONE) -> dict:
    return text_webhook(sender, wamid, text, phone=phone)


@pytest.mark.parametrize("forgery", ["missing", "wrong", "sha1", "one-byte-changed", "other"])
def test_forged_webhooks_get_403_and_nothing_is_stored(stack: WhatsAppStack, forgery: str) -> None:
    raw = encode(_text_body(f"wamid.forged.{forgery}", "15550001111", "hi"))
    secret = SECRETS["WHATSAPP_APP_SECRET"]
    headers = {"Content-Type": "application/json"}
    if forgery == "wrong":
        headers = signed_headers("not the app secret", raw)
    elif forgery == "sha1":
        headers[HEADER] = "sha1=" + sign(secret, raw)[7:47]
    elif forgery == "one-byte-changed":
        headers = signed_headers(secret, raw)
        raw = raw.replace(b'"hi"', b'"ho"')
    elif forgery == "other":
        headers[HEADER] = sign(secret, raw).upper()
    answer = httpx.post(stack.webhook_url, content=raw, headers=headers)
    assert answer.status_code == 403
    assert not [r for r in stack.inbox_rows() if r.wamid == f"wamid.forged.{forgery}"]


def test_events_for_another_number_are_acknowledged_and_ignored(stack: WhatsAppStack) -> None:
    answer = stack.post_webhook(_text_body("wamid.elsewhere", "15550002222", "hi", "999"))
    assert answer.status_code == 200
    assert not [r for r in stack.inbox_rows() if r.wamid == "wamid.elsewhere"]


def test_a_webhook_delivered_three_times_gets_one_reply(stack: WhatsAppStack) -> None:
    customer = "15550003333"
    stack.say(customer, text="warm up")  # the customer exists in the sandbox
    stack.wait_for_replies(customer, 1)
    body = _text_body("wamid.triple", customer, "only once please")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: stack.post_webhook(body), range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    stack.wait_for_replies(customer, 2)
    time.sleep(1.0)  # give a duplicate every chance to show up
    assert stack.reply_texts(customer) == ["echo: warm up", "echo: only once please"]
    assert len(_turns_for(stack, "wamid.triple")) == 1


def test_buttons_lists_numbered_text_and_the_tapped_payload(stack: WhatsAppStack) -> None:
    customer = "15550004444"
    stack.say(customer, text="menu")
    [menu] = stack.wait_for_replies(customer, 1)
    buttons = menu["payload"]["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/affirm", "/deny", "/request_human"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    assert "Talk to a person please" in menu["payload"]["interactive"]["body"]["text"]

    stack.say(customer, button_reply={"id": "/request_human"})
    stack.wait_for(lambda: "echo: /request_human" in stack.reply_texts(customer), what="tap")

    stack.say(customer, text="list")
    listed = stack.wait_for_replies(customer, 3)[-1]["payload"]["interactive"]
    assert listed["type"] == "list"
    rows = listed["action"]["sections"][0]["rows"]
    stack.say(customer, list_reply={"id": rows[3]["id"]})
    stack.wait_for(lambda: "echo: /choose_3" in stack.reply_texts(customer), what="row")

    stack.say(customer, text="many")
    numbered = stack.wait_for_replies(customer, 5)[-1]["payload"]
    assert numbered["type"] == "text" and "12. Item 11" in numbered["text"]["body"]

    stack.say(customer, text="long")
    parts = stack.wait_for_replies(customer, 8)[-3:]
    assert all(p["payload"]["type"] == "text" for p in parts)
    assert all(len(p["payload"]["text"]["body"]) <= 4096 for p in parts)


def test_statuses_from_meta_update_the_stored_message(stack: WhatsAppStack) -> None:
    customer = "15550005555"
    stack.say(customer, text="status please")
    [reply] = stack.wait_for_replies(customer, 1)

    def stored_status() -> str | None:
        with session_scope(stack.database_url) as session:
            row = session.execute(
                select(OutboundMessage).where(OutboundMessage.wamid == reply["id"])
            ).scalar_one_or_none()
            return row.status if row else None

    # (the test's own polling of the conversation may already count as the customer reading)
    stack.wait_for(lambda: stored_status() in ("delivered", "read"), what="delivered")
    stack.conversation(customer)  # the customer opens the chat: read receipts go out
    stack.wait_for(lambda: stored_status() == "read", what="read")
    inbound = stack.conversation(customer)[0]
    assert inbound["status"] == "read"  # the bot marked the customer's message read


def test_an_album_is_processed_once_per_photo_in_order(stack: WhatsAppStack) -> None:
    customer = "15550006666"
    data, mime = media_bytes("image")
    body = _text_body("x", customer, "")
    value = body["entry"][0]["changes"][0]["value"]
    now = str(int(time.time()))
    value["messages"] = [
        {
            "from": customer,
            "id": f"wamid.album.{i}",
            "timestamp": now,
            "type": "image",
            "image": {"id": stack.upload(data, mime), "mime_type": mime, "caption": f"p{i}"},
        }
        for i in range(3)
    ]
    assert stack.post_webhook(body).status_code == 200
    assert stack.post_webhook(body).status_code == 200  # and a redelivery of the album
    stack.wait_for_replies(customer, 3)
    time.sleep(0.5)
    captions = [t["meta"]["caption"] for t in stack.echo_turns() if t["sender"] == customer]
    assert captions == ["p0", "p1", "p2"]


def test_a_message_that_keeps_failing_gets_a_clear_answer(stack: WhatsAppStack) -> None:
    customer = "15550007777"
    stack.say(customer, text="fail")
    [reply] = stack.wait_for_replies(customer, 1)
    assert "something went wrong" in reply["payload"]["text"]["body"]
    assert "send it again" in reply["payload"]["text"]["body"]


@pytest.mark.parametrize("kind", ["500", "rate_limit"])
def test_graph_errors_are_retried_and_the_reply_arrives_once(
    stack: WhatsAppStack, kind: str
) -> None:
    customer = "1555000880" + str(len(kind))
    stack.say(customer, text="warm up")
    stack.wait_for_replies(customer, 1)
    stack.fault("messages", kind, count=2)
    stack.say(customer, text="are you there")
    stack.wait_for(lambda: "echo: are you there" in stack.reply_texts(customer), what="reply")
    time.sleep(0.3)
    assert stack.reply_texts(customer).count("echo: are you there") == 1


def test_an_expired_media_url_is_fetched_again(stack: WhatsAppStack) -> None:
    customer = "15550009991"
    stack.fault("media_info", "expired_url", count=1)
    data, mime = media_bytes("image")
    stack.send_file(customer, data, mime, "crack.jpg", caption="the screen")
    [reply] = stack.wait_for_replies(customer, 1)
    assert reply["payload"]["text"]["body"].startswith("got image image/jpeg")
    assert "caption: the screen" in reply["payload"]["text"]["body"]


def test_media_that_cannot_be_downloaded_gets_a_clear_answer(stack: WhatsAppStack) -> None:
    customer = "15550009992"
    stack.fault("media_download", "500", count=100)
    try:
        data, mime = media_bytes("image")
        stack.send_file(customer, data, mime, "crack.jpg")
        [reply] = stack.wait_for_replies(customer, 1, timeout=30)
    finally:
        httpx.delete(f"{stack.sandbox_url}/sandbox/faults")
    assert reply["payload"]["text"]["body"].startswith("Sorry, I could not receive your file")


def test_a_file_over_meta_limits_is_refused_with_the_reason(stack: WhatsAppStack) -> None:
    customer = "15550009993"
    big = b"\xff\xd8\xff\xe0" + b"0" * (5 * 1024 * 1024 + 10)
    stack.send_file(customer, big, "image/jpeg", "huge.jpg")
    [reply] = stack.wait_for_replies(customer, 1)
    assert "too large" in reply["payload"]["text"]["body"]
    assert "5 MB" in reply["payload"]["text"]["body"]


def test_the_inbox_survives_a_crash_mid_processing(tmp_path: Path) -> None:
    with WhatsAppStack(tmp_path, env={"ECHO_LEASE": "1"}) as stack:
        customer = "15550001010"
        stack.say(customer, text="slow 60")
        stack.wait_for(lambda: stack.echo_turns(), what="the slow turn to start")
        stack.bot.kill()  # SIGKILL mid-turn: no cleanup, the row stays "processing"
        answer = httpx.post(
            f"{stack.sandbox_url}/sandbox/customers/{customer}/messages",
            json={"text": "hello after crash"},
        )
        assert answer.status_code == 202  # not acknowledged: the sandbox retries, like Meta
        stack.bot.start()
        stack.wait_for_replies(customer, 2, timeout=40)
        time.sleep(0.5)
        assert stack.reply_texts(customer) == ["done slow", "echo: hello after crash"]
