"""A new session records the customer once (on every channel, REST included) and carries the
conversation's slots over, as Rasa's default session start does."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from helpdesk.customers import get_customer
from helpdesk.db import session_scope

DOMAIN = {"session_config": {"carry_over_slots_to_new_session": True}}


def _tracker(events: list[dict]) -> Tracker:
    return Tracker(
        sender_id="15551234567", slots={}, latest_message={}, events=events, paused=False,
        followup_action=None, active_loop={}, latest_action_name=None,
    )  # fmt: skip


async def test_a_new_session_records_the_customer_and_keeps_the_language(
    database_url: str,
) -> None:
    earlier = [{"event": "slot", "name": "language", "value": "es"}]
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, _tracker(earlier), DOMAIN)
    assert events == [SessionStarted(), SlotSet("language", "es"), ActionExecuted("action_listen")]
    assert dispatcher.messages == []
    with session_scope() as session:
        assert get_customer(session, sender_id="15551234567").language == "es"


async def test_a_first_session_records_a_customer_of_unknown_language(database_url: str) -> None:
    events = await ActionSessionStart().run(CollectingDispatcher(), _tracker([]), DOMAIN)
    assert events == [SessionStarted(), ActionExecuted("action_listen")]
    with session_scope() as session:
        assert get_customer(session, sender_id="15551234567").language is None


async def test_slots_are_not_carried_when_the_domain_says_so(database_url: str) -> None:
    earlier = [{"event": "slot", "name": "language", "value": "es"}]
    domain = {"session_config": {"carry_over_slots_to_new_session": False}}
    events = await ActionSessionStart().run(CollectingDispatcher(), _tracker(earlier), domain)
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


async def test_database_outage_does_not_stop_the_conversation(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database that was never migrated: recording fails, the session still starts.
    monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    events = await ActionSessionStart().run(CollectingDispatcher(), _tracker([]), DOMAIN)
    assert events[0] == SessionStarted()
