"""A turn Rasa already saved, found again by the id of the customer's message.

A turn retried after it was saved (the process died while sending its replies) must not
run again: the message would go into the dialogue twice, and a second run may answer
differently (a form asks its next question, a fallback turns into a handoff). The WhatsApp
channel gives every ``UserMessage`` the inbox message's wamid as ``message_id``, which Rasa
stores on the ``user`` event; ``replies_of_message`` finds that event in the saved tracker
and gives back what the bot said in that turn.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered


async def replies_of_message(
    store: TrackerStore, *, sender_id: str, message_id: str
) -> list[dict[str, Any]] | None:
    """What the bot said in the turn of customer message ``message_id``, in order (each as
    Rasa hands it to an output channel), or None when no saved turn holds that message."""
    tracker = await store.retrieve(sender_id)
    if tracker is None:
        return None
    events = list(tracker.events)
    start = next(
        (
            index
            for index, event in enumerate(events)
            if isinstance(event, UserUttered) and event.message_id == message_id
        ),
        None,
    )
    if start is None:
        return None
    # A session started by this message says its greeting before the message's own events.
    begin = start
    for index in range(start - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            break
        if isinstance(events[index], SessionStarted):
            begin = index
    turn = events[begin:start]
    for event in events[start + 1 :]:
        if isinstance(event, UserUttered):
            break
        turn.append(event)
    return [event.message() for event in turn if isinstance(event, BotUttered)]
