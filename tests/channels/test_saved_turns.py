"""Finding a saved turn again by the customer's message id (``channels.saved_turns``), on
Rasa's own tracker store and events: what a retried message is answered with instead of a
second dialogue turn."""

from __future__ import annotations

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from channels.saved_turns import replies_of_message

CUSTOMER = "34600222001"


async def _store(*events: object) -> InMemoryTrackerStore:
    store = InMemoryTrackerStore(Domain.empty())
    await store.save(DialogueStateTracker.from_events(CUSTOMER, list(events)))
    return store


async def test_the_replies_of_each_saved_turn_come_back_in_order() -> None:
    buttons = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    store = await _store(
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hola", message_id="wamid.1"),
        ActionExecuted("action_greet"),
        BotUttered("¡Hola! ¿En qué puedo ayudarte?"),
        ActionExecuted("action_listen"),
        UserUttered("borrar mis datos", message_id="wamid.2"),
        ActionExecuted("utter_confirm_erasure"),
        BotUttered("Voy a borrar tus datos."),
        BotUttered("¿Seguro?", data={"buttons": buttons}),
        ActionExecuted("action_listen"),
    )

    first = await replies_of_message(store, sender_id=CUSTOMER, message_id="wamid.1")
    second = await replies_of_message(store, sender_id=CUSTOMER, message_id="wamid.2")

    assert [m["text"] for m in first] == ["¡Hola! ¿En qué puedo ayudarte?"]
    assert [m["text"] for m in second] == ["Voy a borrar tus datos.", "¿Seguro?"]
    assert second[1]["buttons"] == buttons


async def test_a_message_the_dialogue_never_saw_runs_its_turn() -> None:
    store = await _store(ActionExecuted("action_listen"), UserUttered("hola", message_id="wamid.1"))

    assert await replies_of_message(store, sender_id=CUSTOMER, message_id="wamid.9") is None
    assert await replies_of_message(store, sender_id="34600222999", message_id="wamid.1") is None


async def test_a_greeting_of_the_session_the_message_started_is_part_of_its_turn() -> None:
    """A session start that says something (a welcome) belongs to the message that
    started it: its reply keys come first, so the replay must send it too."""
    store = await _store(
        ActionExecuted("action_listen"),
        UserUttered("hola", message_id="wamid.1"),
        BotUttered("¡Hola!"),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        BotUttered("Bienvenido de nuevo."),
        ActionExecuted("action_listen"),
        UserUttered("mi pago falló", message_id="wamid.2"),
        BotUttered("Envíame una captura del pago."),
    )

    replies = await replies_of_message(store, sender_id=CUSTOMER, message_id="wamid.2")

    assert [m["text"] for m in replies] == ["Bienvenido de nuevo.", "Envíame una captura del pago."]
