"""The tracker store: Rasa's SQL store configured by URL, able to forget a conversation.

Configured in endpoints.yml as ``type: rasa_addons.tracker_store.ErasableSQLTrackerStore``
with ``url: ${HELPDESK_TRACKER_STORE_URL}`` (any SQLAlchemy URL: SQLite by default,
PostgreSQL in production).

Why a subclass: an action runs while Rasa holds the conversation, so it cannot delete the
tracker itself (Rasa would write every event back when the turn ends, and the HTTP API's
replace-events call waits on the lock the turn holds). Instead ``action_erase_my_data``
sets the slot ``erasure_completed``; when the turn is saved, this store deletes every stored
event of that conversation and stores none of the turn, so the next message starts afresh.

A saved turn that holds a customer message also records the customer (first contact, last
seen, the turn's language) for every channel, here in the Rasa server rather than in an
action-server call on every turn; the WhatsApp channel records the language before the turn
as well, because its replies are worded from it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from helpdesk.conversation import ERASURE_SLOT, LANGUAGE_SLOT
from helpdesk.customers import record_customer_seen
from helpdesk.db import session_scope as helpdesk_session
from helpdesk.errors import HelpdeskError
from helpdesk.settings import get_settings
from rasa_addons.language_policy import METADATA_KEY

logger = logging.getLogger(__name__)


class ErasableSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(host or get_settings().tracker_store_url)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, but the stored events are counted once (Rasa's own ``save`` counts
        them again) and erasure or storing is one transaction."""
        if self.event_broker is not None:
            # The broker diffs against the stored tracker, so it must run before the insert.
            await self.stream_events(tracker)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            erased = any(
                isinstance(event, SlotSet) and event.key == ERASURE_SLOT and event.value
                for event in new_events
            )
            if erased:
                deleted = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == tracker.sender_id)
                    .delete(synchronize_session=False)
                )
            else:
                session.add_all(self._row(tracker.sender_id, event) for event in new_events)
            session.commit()
        if erased:
            logger.info("Erased a conversation on request (%d stored events deleted).", deleted)
            return
        if any(isinstance(event, UserUttered) for event in new_events) and not _recorded(tracker):
            record_customer(tracker)

    def _row(self, sender_id: str, event: Event) -> Any:
        """One stored event, exactly as Rasa's ``SQLTrackerStore.save`` writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )


def _recorded(tracker: DialogueStateTracker) -> bool:
    """The channel recorded this customer, in the language the turn kept, just before the
    turn (the WhatsApp channel passes that language as metadata): one transaction less."""
    metadata = tracker.latest_message.metadata if tracker.latest_message else None
    language = (metadata or {}).get(METADATA_KEY)
    return language is not None and language == tracker.get_slot(LANGUAGE_SLOT)


def record_customer(tracker: DialogueStateTracker) -> None:
    """Customer bookkeeping after a turn with a customer message; never fails the turn."""
    language = tracker.get_slot(LANGUAGE_SLOT)
    try:
        with helpdesk_session() as session:
            record_customer_seen(session, sender_id=tracker.sender_id, language=language)
    except HelpdeskError as error:
        logger.warning("Could not record the customer: %s", error)
