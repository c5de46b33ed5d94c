from __future__ import annotations

from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

from helpdesk.settings import PROJECT_ROOT
from rasa_addons.tracker_store import ErasableSQLTrackerStore


def _store(tmp_path: Path) -> ErasableSQLTrackerStore:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    return ErasableSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path}/tracker.db")


async def _turn(store: ErasableSQLTrackerStore, sender: str, text: str, *extra) -> None:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text, intent={"name": "greet", "confidence": 1.0}))
    for event in extra:
        tracker.update(event)
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


async def test_conversation_is_kept_between_turns(tmp_path: Path) -> None:
    store = _store(tmp_path)
    await _turn(store, "alice", "hello")
    await _turn(store, "alice", "my payment failed")
    tracker = await store.retrieve("alice")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "hello",
        "my payment failed",
    ]


async def test_erasure_turn_deletes_the_whole_conversation_only(tmp_path: Path) -> None:
    store = _store(tmp_path)
    await _turn(store, "alice", "hello")
    await _turn(store, "bob", "hola")
    await _turn(
        store,
        "alice",
        "yes",
        ActionExecuted("action_erase_my_data"),
        SlotSet("erasure_completed", True),
    )

    assert await store.retrieve("alice") is None
    fresh = await store.get_or_create_tracker("alice")
    assert not [e for e in fresh.events if isinstance(e, UserUttered)]
    assert [e.text for e in (await store.retrieve("bob")).events if isinstance(e, UserUttered)]


def test_rebuilt_from_a_url_setting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HELPDESK_TRACKER_STORE_URL", f"sqlite:///{tmp_path}/from-env.db")
    from helpdesk.settings import get_settings

    get_settings.cache_clear()
    store = ErasableSQLTrackerStore(domain=None)
    assert str(store.engine.url).endswith("from-env.db")


async def test_a_customer_turn_records_the_customer_in_its_language(
    tmp_path: Path, database_url: str
) -> None:
    from helpdesk.customers import get_customer
    from helpdesk.db import session_scope

    store = _store(tmp_path)
    await _turn(store, "carla", "hola", SlotSet("language", "es"))
    with session_scope() as session:
        assert get_customer(session, sender_id="carla").language == "es"


async def test_an_erasure_turn_does_not_record_the_customer_again(
    tmp_path: Path, database_url: str
) -> None:
    from helpdesk.customers import get_customer
    from helpdesk.db import session_scope
    from helpdesk.erasure import erase_customer

    store = _store(tmp_path)
    await _turn(store, "dora", "borra mis datos")
    erase_customer(sender_id="dora")
    await _turn(store, "dora", "sí", SlotSet("erasure_completed", True))
    with session_scope() as session:
        assert get_customer(session, sender_id="dora") is None
    # Reading the erased conversation again (a new, empty tracker) records nobody either.
    await store.save(await store.get_or_create_tracker("dora"))
    with session_scope() as session:
        assert get_customer(session, sender_id="dora") is None
