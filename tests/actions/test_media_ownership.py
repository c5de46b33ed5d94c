"""Defect 1: a customer can only name their own media; someone else's id is never read."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.capture import ValidatePaymentProblemForm
from helpdesk.db import session_scope
from helpdesk.media.records import get_media
from helpdesk.tickets.core import messages, open_ticket, record_customer_message
from tests.helpdesk.capture.images import receipt_screenshot

VICTIM = "15550009999"
ATTACKER = "15550001111"


def _tracker(sender_id: str, metadata: dict, slots: dict | None = None) -> Tracker:
    return Tracker(
        sender_id=sender_id,
        slots={"requested_slot": "payment_evidence", **(slots or {})},
        latest_message={
            "text": "/media_shared",
            "intent": {"name": "media_shared"},
            "metadata": metadata,
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "payment_problem_form"},
        latest_action_name="action_listen",
    )


async def test_naming_another_customers_media_id_reads_nothing_of_it(received) -> None:
    victim = received(receipt_screenshot(transaction_id="841277630921"), sender_id=VICTIM)
    dispatcher = CollectingDispatcher()
    events = await ValidatePaymentProblemForm().run(
        dispatcher, _tracker(ATTACKER, {"media": [{"id": victim["id"], "kind": "image"}]}), {}
    )
    # The attacker is told the file could not be read; nothing of the victim's comes back.
    assert [m["response"] for m in dispatcher.messages] == ["utter_media_unreadable"]
    assert "841277630921" not in repr(events)
    assert all(getattr(e, "value", None) != str(victim["id"]) for e in events)
    with session_scope() as session:
        assert get_media(session, media_id=victim["id"]).analysis is None  # not overwritten


async def test_held_media_of_someone_else_is_not_judged(received) -> None:
    victim = received(receipt_screenshot(transaction_id="841277630921"), sender_id=VICTIM)
    dispatcher = CollectingDispatcher()
    tracker = _tracker(ATTACKER, {}, slots={"payment_evidence": f"held:image:{victim['id']}"})
    tracker.latest_message = {"text": "hi", "intent": {"name": "inform"}, "metadata": {}}
    events = await ValidatePaymentProblemForm().run(dispatcher, tracker, {})
    assert "841277630921" not in repr(events)
    with session_scope() as session:
        assert get_media(session, media_id=victim["id"]).analysis is None


async def test_own_media_is_still_accepted(received) -> None:
    own = received(receipt_screenshot(transaction_id="841277630921"), sender_id=ATTACKER)
    dispatcher = CollectingDispatcher()
    events = await ValidatePaymentProblemForm().run(
        dispatcher, _tracker(ATTACKER, {"media": [own]}), {}
    )
    # The step is filled with the customer's file and nothing is refused (what was read is
    # read back by the next step's question).
    assert SlotSet("payment_evidence", str(own["id"])) in events
    assert not [m for m in dispatcher.messages if m["response"] != "utter_media_accepted"]


def test_tickets_only_attach_the_customers_own_media(received) -> None:
    victim = received(receipt_screenshot(transaction_id="841277630921"), sender_id=VICTIM)
    own = received(receipt_screenshot(transaction_id="111122223333"), sender_id=ATTACKER)
    with session_scope() as session:
        ticket = open_ticket(
            session,
            sender_id=ATTACKER,
            use_case="payment_problem",
            queue="payments",
            media_ids=[victim["id"], own["id"]],
            transcript=[{"who": "customer", "text": "look", "media_id": victim["id"]}],
        )
        assert ticket.media_ids == [own["id"]]
        line = record_customer_message(session, sender_id=ATTACKER, media_id=victim["id"])
        assert line is not None and line.media_id is None
        assert ticket.media_ids == [own["id"]]
        assert victim["id"] not in [m.media_id for m in messages(session, ticket_id=ticket.id)]
