"""While an agent has the case the bot stays quiet; the customer can withdraw the request."""

from __future__ import annotations

from helpdesk.db import session_scope
from helpdesk.tickets import core
from helpdesk.tickets.handoff import hand_off
from helpdesk.tickets.routing import route_to_agent
from tests.helpdesk.capture.images import product_photo

SENDER = "15550003333"


def _open() -> int:
    return hand_off(
        sender_id=SENDER, use_case="report_software_error", queue="software",
        summary="app crashes", trigger="customer_request", language="en",
    ).ticket_id  # fmt: skip


def test_without_a_ticket_the_bot_answers(database_url: str) -> None:
    assert route_to_agent(sender_id=SENDER, text="hello", metadata={}) is False


def test_messages_and_media_go_to_the_active_ticket(database_url: str, received) -> None:
    ticket_id = _open()
    assert route_to_agent(sender_id=SENDER, text="is anyone there?", metadata={}) is True
    photo = received(product_photo(), sender_id=SENDER, caption="here it is")
    routed = route_to_agent(
        sender_id=SENDER,
        text="/media_shared",
        metadata={"media": [photo], "caption": "here it is", "text": "here it is"},
    )
    assert routed is True
    with session_scope() as session:
        lines = [(m.text, m.media_id) for m in core.messages(session, ticket_id=ticket_id)]
    assert ("is anyone there?", None) in lines
    assert ("here it is", photo["id"]) in lines


def test_cancel_button_withdraws_the_request_and_the_bot_takes_over(database_url: str) -> None:
    ticket_id = _open()
    assert route_to_agent(sender_id=SENDER, text="/cancel", metadata={}) is False
    with session_scope() as session:
        assert core.get_ticket(session, ticket_id=ticket_id).status == "closed"
        assert core.active_ticket_for(session, sender_id=SENDER) is None
    assert route_to_agent(sender_id=SENDER, text="hello again", metadata={}) is False
