"""The Zendesk and Freshdesk backends against local servers that speak their APIs."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

import pytest
from PIL import Image

from helpdesk.db import session_scope
from helpdesk.errors import TicketingError
from helpdesk.media.records import save_media
from helpdesk.store import get_media_store
from helpdesk.tickets import core
from helpdesk.tickets.backends import TicketData
from helpdesk.tickets.backends.freshdesk import FreshdeskBackend
from helpdesk.tickets.backends.zendesk import ZendeskBackend
from helpdesk.tickets.handoff import customer_message, hand_off
from tests.support import freshdesk, zendesk

CUSTOMER = "15551112222"


@pytest.fixture
def zendesk_fake(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[tuple[str, zendesk.ZendeskState]]:
    with zendesk.serving(monkeypatch) as served:
        yield served


@pytest.fixture
def freshdesk_fake(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[tuple[str, freshdesk.FreshdeskState]]:
    with freshdesk.serving(monkeypatch) as served:
        yield served


def photo(database_url: str) -> tuple[int, bytes]:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(out, "JPEG")
    stored = get_media_store().put(out.getvalue(), mime="image/jpeg")
    with session_scope(database_url) as session:
        record = save_media(
            session,
            sender_id=CUSTOMER,
            sha256=stored.sha256,
            kind="image",
            mime="image/jpeg",
            size=stored.size,
            source="whatsapp",
            purpose="photo",
            analysis={"accepted": True, "problems": [], "fields": [], "ocr": None},
        )
        return record.id, get_media_store().get(stored.sha256)


def open_case(database_url: str, media_ids: list[int]):  # type: ignore[no-untyped-def]
    return hand_off(
        url=database_url,
        sender_id=CUSTOMER,
        use_case="damaged_product",
        queue="returns",
        priority="high",
        summary="Cracked jar",
        media_ids=media_ids,
        fields=[{"type": "serial_number", "value": "SN123"}],
    )


def data(**changes: object) -> TicketData:
    values = dict(
        id=1,
        sender_id=CUSTOMER,
        subject="WhatsApp #1",
        summary="Said: cracked jar",
        priority="normal",
        queue="returns",
        use_case="damaged_product",
    )
    values.update(changes)
    return TicketData(**values)  # type: ignore[arg-type]


def test_zendesk_ticket_with_requester_summary_and_attachment(database_url, zendesk_fake) -> None:
    _, state = zendesk_fake
    media_id, stored_bytes = photo(database_url)
    result = open_case(database_url, [media_id])
    assert result.external_id is not None and result.external_error is None
    ticket = state.tickets[int(result.external_id)]
    requester = state.users[ticket["requester_id"]]
    assert requester["external_id"] == f"whatsapp:{CUSTOMER}"
    assert ticket["priority"] == "high" and "returns" in ticket["tags"]
    first = state.comments[ticket["id"]][0]
    assert first["public"] is False
    assert "Said: Cracked jar" in first["body"] and "serial number SN123" in first["body"]
    assert [a["sha256"] for a in first["attachments"]] == [hashlib.sha256(stored_bytes).hexdigest()]
    assert first["attachments"][0]["content_type"] == "image/jpeg"

    # The customer's later messages become public comments by the requester.
    assert customer_message(sender_id=CUSTOMER, text="any news?", url=database_url)
    assert customer_message(sender_id=CUSTOMER, media_id=media_id, url=database_url)
    later = state.comments[ticket["id"]][1:]
    assert [(c["body"], c["author_id"], c["public"]) for c in later] == [
        ("any news?", requester["id"], True),
        ("(attachment)", requester["id"], True),
    ]
    assert len(later[1]["attachments"]) == 1

    # A second case of the same customer finds the same Zendesk user.
    with session_scope(database_url) as session:
        core.close_ticket(session, ticket_id=result.ticket_id)
    again = open_case(database_url, [])
    assert state.tickets[int(again.external_id)]["requester_id"] == requester["id"]
    assert len(state.users) == 1


def test_zendesk_wrong_token_keeps_the_case_in_the_console(
    database_url, zendesk_fake, monkeypatch
) -> None:
    from helpdesk.settings import get_settings

    monkeypatch.setenv("ZENDESK_API_TOKEN", "wrong")
    get_settings.cache_clear()
    result = open_case(database_url, [])
    assert result.external_id is None
    assert (
        "HTTP 401" in result.external_error and "Couldn't authenticate you" in result.external_error
    )
    with session_scope(database_url) as session:
        ticket = core.require_ticket(session, ticket_id=result.ticket_id)
        assert ticket.status == "waiting_for_agent"
        assert "401" in ticket.external_error
        lines = [m.text for m in core.messages(session, ticket_id=ticket.id)]
    assert any("External ticketing failed" in (line or "") for line in lines)
    # The customer's messages are still kept on the ticket.
    assert customer_message(sender_id=CUSTOMER, text="hello?", url=database_url)


def test_zendesk_validation_error_is_reported_with_its_details(zendesk_fake) -> None:
    url, _ = zendesk_fake
    backend = ZendeskBackend(url, email="bot@example.com", token="zd-token")
    with pytest.raises(TicketingError) as caught:
        backend.create(data(priority="whenever"), [])
    message = str(caught.value)
    assert (
        "HTTP 422" in message and "RecordInvalid" in message and "Priority: is invalid" in message
    )


def test_zendesk_rate_limit_is_retried_after_the_pause_it_asks_for(zendesk_fake) -> None:
    url, state = zendesk_fake
    waits: list[float] = []
    backend = ZendeskBackend(url, email="bot@example.com", token="zd-token", sleep=waits.append)
    state.throttled, state.retry_after = 2, 7
    external = backend.create(data(), [])
    assert external.ticket_id in {str(t) for t in state.tickets}
    assert waits == [7.0, 7.0]


def test_zendesk_rate_limit_longer_than_we_wait_fails_clearly(zendesk_fake) -> None:
    url, state = zendesk_fake
    backend = ZendeskBackend(url, email="bot@example.com", token="zd-token", sleep=lambda _: None)
    state.throttled, state.retry_after = 1, 3600
    with pytest.raises(TicketingError, match="HTTP 429") as caught:
        backend.create(data(), [])
    assert "rate limiting" in caught.value.hint


def test_zendesk_comment_on_a_deleted_ticket_is_a_clear_error(zendesk_fake) -> None:
    from helpdesk.tickets.backends import External

    url, _ = zendesk_fake
    backend = ZendeskBackend(url, email="bot@example.com", token="zd-token")
    with pytest.raises(TicketingError, match="RecordNotFound"):
        backend.comment(External("999999"), "hello", [])


def test_freshdesk_ticket_multipart_with_attachment_and_notes(database_url, freshdesk_fake) -> None:
    _, state = freshdesk_fake
    media_id, stored_bytes = photo(database_url)
    result = open_case(database_url, [media_id])
    assert result.external_error is None
    ticket = state.tickets[int(result.external_id)]
    assert ticket["priority"] == 3 and ticket["status"] == 2 and ticket["source"] == 7
    assert "Said: Cracked jar" in ticket["description"]
    assert ticket["tags"] == ["whatsapp", "damaged_product", "returns"]
    assert [(a["content_type"], a["size"]) for a in ticket["attachments"]] == [
        ("image/jpeg", len(stored_bytes))
    ]
    assert customer_message(sender_id=CUSTOMER, text="is it <b>shipped</b>?", url=database_url)
    note = state.conversations[ticket["id"]][-1]
    assert note["body"] == "is it &lt;b&gt;shipped&lt;/b&gt;?"
    assert (note["private"], note["incoming"], note["user_id"]) == (
        False,
        True,
        ticket["requester_id"],
    )
    assert customer_message(sender_id=CUSTOMER, media_id=media_id, url=database_url)
    assert len(state.conversations[ticket["id"]][-1]["attachments"]) == 1


def test_freshdesk_json_ticket_without_media(database_url, freshdesk_fake) -> None:
    _, state = freshdesk_fake
    result = open_case(database_url, [])
    assert state.tickets[int(result.external_id)]["attachments"] == []


def test_freshdesk_validation_errors_are_reported_field_by_field(freshdesk_fake) -> None:
    url, _ = freshdesk_fake
    backend = FreshdeskBackend(url, api_key="fd-key")
    with pytest.raises(TicketingError) as caught:
        backend.create(data(subject=""), [])
    assert "Validation failed" in str(caught.value)
    assert "subject: It should be a/an String (missing_field)" in str(caught.value)


def test_freshdesk_wrong_key_and_rate_limit(database_url, freshdesk_fake) -> None:
    url, state = freshdesk_fake
    with pytest.raises(TicketingError, match="You have to be logged in"):
        FreshdeskBackend(url, api_key="wrong").create(data(), [])
    waits: list[float] = []
    state.throttled, state.retry_after = 1, 2
    FreshdeskBackend(url, api_key="fd-key", sleep=waits.append).create(data(), [])
    assert waits == [2.0]


def test_unreachable_service_is_retried_then_reported() -> None:
    from tests.support.servers import free_port

    waits: list[float] = []
    backend = FreshdeskBackend(f"http://127.0.0.1:{free_port()}", api_key="k", sleep=waits.append)
    with pytest.raises(TicketingError, match="unreachable"):
        backend.create(data(), [])
    assert len(waits) == backend.retries


def test_customer_cancel_solves_the_zendesk_ticket_with_a_private_note(
    database_url, zendesk_fake
) -> None:
    from helpdesk.tickets.handoff import cancel

    _, state = zendesk_fake
    result = open_case(database_url, [])
    assert cancel(sender_id=CUSTOMER, url=database_url) == result.ticket_id
    ticket = state.tickets[int(result.external_id)]
    assert ticket["status"] == "solved"
    last = state.comments[ticket["id"]][-1]
    assert (last["body"], last["public"]) == (
        "The customer cancelled the request on WhatsApp.",
        False,
    )


def test_customer_cancel_resolves_the_freshdesk_ticket(database_url, freshdesk_fake) -> None:
    from helpdesk.tickets.handoff import cancel

    _, state = freshdesk_fake
    result = open_case(database_url, [])
    cancel(sender_id=CUSTOMER, url=database_url)
    ticket = state.tickets[int(result.external_id)]
    assert ticket["status"] == 4
    note = state.conversations[ticket["id"]][-1]
    assert note["private"] is True and "cancelled" in note["body"]
