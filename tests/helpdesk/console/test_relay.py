"""The relay both ways through the real sandbox, the 24-hour window, close and hand back."""

from __future__ import annotations

import io
import subprocess

import httpx
import pypdfium2
from PIL import Image

from helpdesk.db import session_scope
from helpdesk.db.models import MediaRecord, MediaView
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from helpdesk.tickets import core
from helpdesk.tickets.handoff import customer_message
from tests.helpdesk.console.conftest import (
    Stack,
    csrf,
    hand_off,
    label_photo,
    store_customer_media,
)
from tests.support.servers import free_port

CUSTOMER = "15557654321"


def detail(stack: Stack, ticket: int, headers: dict[str, str]) -> dict:
    answer = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers)
    assert answer.status_code == 200
    return answer.json()


def test_agent_reply_reaches_the_customer_inside_the_window(stack: Stack, wait_for) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "my blender is broken, I want a person")
    ticket = hand_off(stack.database_url, CUSTOMER)
    answer = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/replies",
        json={"text": "Hi, I'm Alice. I can see your label photo."},
        headers=headers,
    )
    assert answer.status_code == 201
    assert answer.json()["delivery"] == "sent"
    got = wait_for(lambda: stack.received(CUSTOMER))
    assert got[-1]["payload"]["type"] == "text"
    assert got[-1]["payload"]["text"]["body"] == "Hi, I'm Alice. I can see your label photo."
    shown = detail(stack, ticket, headers)
    assert shown["status"] == "with_agent"
    assert shown["first_reply_at"] is not None
    assert shown["assignee"] == "alice"
    assert shown["messages"][-1]["who"] == "agent"


def test_customer_messages_reach_the_ticket_while_the_agent_has_it(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    ticket = hand_off(stack.database_url, CUSTOMER)
    photo = store_customer_media(stack.database_url, CUSTOMER, label_photo(), purpose="label")
    assert customer_message(sender_id=CUSTOMER, text="here is the label", url=stack.database_url)
    assert customer_message(sender_id=CUSTOMER, media_id=photo, url=stack.database_url)
    assert not customer_message(sender_id="15550000000", text="hi", url=stack.database_url)
    shown = detail(stack, ticket, headers)
    assert [m["text"] for m in shown["messages"][-2:]] == ["here is the label", None]
    assert shown["messages"][-1]["media_id"] == photo
    media = {m["id"]: m for m in shown["media"]}
    fields = {(f["type"], f["value"]) for f in media[photo]["fields"]}
    assert ("serial_number", "SN48213771") in fields
    assert "SN48213771" in media[photo]["ocr_text"]


def test_agent_sends_a_photo_from_the_ticket_page(stack: Stack, wait_for) -> None:
    stack.agent()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, "PNG")
    answer = client.post(
        f"/tickets/{ticket}/reply",
        data={"text": "This is where the serial is", "csrf": csrf(client, f"/tickets/{ticket}")},
        files={"file": ("where.png", picture.getvalue(), "image/png")},
    )
    assert answer.status_code == 303
    assert "Reply+sent" in answer.headers["location"]
    got = wait_for(lambda: stack.received(CUSTOMER))
    assert got[-1]["payload"]["type"] == "image"
    assert got[-1]["payload"]["image"]["caption"] == "This is where the serial is"


def test_a_file_that_is_not_media_is_refused_with_a_reason(stack: Stack) -> None:
    stack.agent()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    answer = client.post(
        f"/tickets/{ticket}/reply",
        data={"text": "see attached", "csrf": csrf(client, f"/tickets/{ticket}")},
        files={"file": ("evil.png", b"MZ\x90\x00 not a picture", "image/png")},
    )
    page = client.get(answer.headers["location"])
    assert "not a JPEG, PNG, MP4 or PDF" in page.text
    assert stack.received(CUSTOMER) == []


def test_a_file_that_cannot_be_cleaned_is_refused_in_words_for_the_agent(stack: Stack) -> None:
    stack.agent()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    broken_pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage, no pages, no xref"
    answer = client.post(
        f"/tickets/{ticket}/reply",
        data={"text": "the manual", "csrf": csrf(client, f"/tickets/{ticket}")},
        files={"file": ("manual.pdf", broken_pdf, "application/pdf")},
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert "could not be cleaned of its metadata" in page.text
    assert "export it again" in page.text
    assert "manual.pdf" in page.text
    assert "Tell the customer" not in page.text  # the hint meant for customer media
    assert stack.received(CUSTOMER) == []


def test_the_agents_photo_reaches_the_customer_without_its_location(stack: Stack, wait_for) -> None:
    stack.agent()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 1.0), 3: "W", 4: (3.0, 42.0, 1.0)}
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 200, 30)).save(picture, "JPEG", exif=exif.tobytes())
    assert b"Exif" in picture.getvalue()
    answer = client.post(
        f"/tickets/{ticket}/reply",
        data={"text": "our warehouse", "csrf": csrf(client, f"/tickets/{ticket}")},
        files={"file": ("warehouse.jpg", picture.getvalue(), "image/jpeg")},
    )
    assert "Reply+sent" in answer.headers["location"]
    got = wait_for(lambda: stack.received(CUSTOMER))
    sent = httpx.get(f"{stack.sandbox}/sandbox/media/{got[-1]['payload']['image']['id']}")
    assert sent.status_code == 200
    assert Image.open(io.BytesIO(sent.content)).getexif().get_ifd(0x8825) == {}


def test_close_resumes_the_bot_for_the_satisfaction_question(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER, language="es")
    answer = httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["status"] == "resolved"
    assert answer.json()["bot_resumed"] is True
    # Rasa's API token rides along when one is configured (always, outside these tests).
    calls = [{k: v for k, v in call.items() if k != "token"} for call in stack.rasa_calls]
    assert calls == [
        {
            "conversation": CUSTOMER,
            "output_channel": "latest",
            "name": "handoff_ended",
            "entities": {"outcome": "closed", "language": "es"},
        }
    ]
    with session_scope(stack.database_url) as session:
        assert core.active_ticket_for(session, sender_id=CUSTOMER) is None
    # A closed case takes no more replies, and closing again does not resume twice.
    late = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/replies", json={"text": "one more"}, headers=headers
    )
    assert late.status_code == 409
    httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers)
    assert len(stack.rasa_calls) == 1
    assert detail(stack, ticket, headers)["resolved_at"] is not None


def test_hand_back_resumes_the_bot_without_closing(stack: Stack) -> None:
    stack.agent()
    ticket = hand_off(stack.database_url, CUSTOMER)
    client = stack.sign_in()
    answer = client.post(
        f"/tickets/{ticket}/hand_back", data={"csrf": csrf(client, f"/tickets/{ticket}")}
    )
    assert answer.status_code == 303
    assert stack.rasa_calls[-1]["entities"]["outcome"] == "handed_back"
    with session_scope(stack.database_url) as session:
        assert core.get_ticket(session, ticket_id=ticket).status == "open"
        assert core.active_ticket_for(session, sender_id=CUSTOMER) is None
    # The customer asks for a person again: the same ticket comes back to the queue.
    assert hand_off(stack.database_url, CUSTOMER, trigger="customer_request") == ticket
    with session_scope(stack.database_url) as session:
        assert core.get_ticket(session, ticket_id=ticket).status == "waiting_for_agent"


def test_resume_failure_is_reported_not_fatal(stack: Stack, monkeypatch) -> None:
    stack.agent()
    headers = stack.token()
    ticket = hand_off(stack.database_url, CUSTOMER)
    monkeypatch.setenv("HELPDESK_RASA_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    answer = httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["status"] == "resolved" and answer.json()["bot_resumed"] is False


def test_notes_and_assignment_stay_private(stack: Stack) -> None:
    stack.agent()
    stack.agent("bob")
    headers = stack.token()
    stack.say(CUSTOMER, "hello")
    ticket = hand_off(stack.database_url, CUSTOMER)
    note = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/notes",
        json={"text": "Customer sounds upset; offer express shipping"},
        headers=headers,
    )
    assert note.status_code == 201
    assigned = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/assign", json={"agent": "bob"}, headers=headers
    )
    assert assigned.json()["status"] == "with_agent"
    shown = detail(stack, ticket, headers)
    assert shown["assignee"] == "bob"
    assert [n["text"] for n in shown["notes"]] == ["Customer sounds upset; offer express shipping"]
    assert stack.received(CUSTOMER) == []


def test_queue_filters(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    first = hand_off(stack.database_url, "15550000001", queue="returns", priority="high")
    hand_off(stack.database_url, "15550000002", queue="payments", priority="normal")
    third = hand_off(stack.database_url, "15550000003", queue="returns", priority="normal")
    httpx.post(f"{stack.url}/api/tickets/{third}/close", headers=headers)

    def ids(**params: str) -> list[int]:
        answer = httpx.get(f"{stack.url}/api/tickets", params=params, headers=headers)
        assert answer.status_code == 200
        return [t["id"] for t in answer.json()["tickets"]]

    assert ids(queue="returns", status="active") == [first]
    assert ids(priority="normal") == [third, first + 1]
    assert ids(status="resolved") == [third]
    bad = httpx.get(f"{stack.url}/api/tickets", params={"status": "lost"}, headers=headers)
    assert bad.status_code == 400 and "status must be one of" in bad.json()["message"]


def test_media_views_are_decrypted_for_agents_and_audited(stack: Stack) -> None:
    stack.agent()
    data = label_photo()
    photo = store_customer_media(stack.database_url, CUSTOMER, data)
    hand_off(stack.database_url, CUSTOMER, media_ids=[photo])
    client = stack.sign_in()
    answer = client.get(f"/media/{photo}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "private, no-store"
    with session_scope(stack.database_url) as session:
        record_sha = session.get(MediaRecord, photo).sha256
        views = session.query(MediaView).all()
        assert [(v.agent_name, v.media_id, v.sender_id) for v in views] == [
            ("alice", photo, CUSTOMER)
        ]
    assert answer.content == get_media_store().get(record_sha)


def tiny_mp4(tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    out = tmp_path / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=blue:s=160x120:d=1",
            "-pix_fmt",
            "yuv420p",
            "-y",
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


def tiny_pdf() -> bytes:
    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 200)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_ticket_page_plays_video_and_links_the_pdf(stack: Stack, tmp_path) -> None:
    stack.agent()
    video = store_customer_media(
        stack.database_url, CUSTOMER, tiny_mp4(tmp_path), purpose="video", analyse=False
    )
    receipt = store_customer_media(
        stack.database_url, CUSTOMER, tiny_pdf(), purpose="receipt", analyse=False
    )
    ticket = hand_off(stack.database_url, CUSTOMER, media_ids=[video, receipt])
    client = stack.sign_in()
    page = client.get(f"/tickets/{ticket}").text
    assert f'<video controls preload="metadata" src="/media/{video}"></video>' in page
    assert f'<a href="/media/{receipt}" target="_blank">📄 PDF document' in page
    pdf = client.get(f"/media/{receipt}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    clip = client.get(f"/media/{video}")
    assert clip.headers["content-type"] == "video/mp4"


def test_resume_sends_the_rasa_auth_token_when_configured(stack: Stack, monkeypatch) -> None:
    stack.agent()
    ticket = hand_off(stack.database_url, CUSTOMER)
    monkeypatch.setenv("HELPDESK_RASA_TOKEN", "rasa-secret")
    get_settings.cache_clear()
    httpx.post(f"{stack.url}/api/tickets/{ticket}/hand_back", headers=stack.token())
    assert stack.rasa_calls[-1]["token"] == "rasa-secret"
    assert stack.rasa_calls[-1]["entities"]["outcome"] == "handed_back"


def test_an_unknown_ticket_is_404_and_a_closed_one_409(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    missing = httpx.post(
        f"{stack.url}/api/tickets/999999/replies", json={"text": "hello?"}, headers=headers
    )
    assert missing.status_code == 404
    assert missing.json()["error"] == "ticketing" and "#999999" in missing.json()["message"]
    for action in ("close", "hand_back"):
        assert (
            httpx.post(f"{stack.url}/api/tickets/999999/{action}", headers=headers).status_code
            == 404
        )
    ticket = hand_off(stack.database_url, CUSTOMER)
    httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers)
    late = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/replies", json={"text": "late"}, headers=headers
    )
    assert late.status_code == 409 and late.json()["hint"]
