"""Customer bookkeeping for each message a channel hands to the bot.

The channel knows the sender before Rasa sees the message, so it records the customer
(first contact, last seen) and the language of this turn here, in the worker thread it
already uses for the database. The language is decided once, against the language stored
for the customer (sticky on short or ambiguous text, the default setting when nothing is
known), and passed on to Rasa as message metadata, where ``rasa_addons.language_policy``
sets the ``language`` slot from it without an action-server round trip.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.customers import note_turn
from helpdesk.db import session_scope
from helpdesk.errors import HelpdeskError
from helpdesk.language import turn_language
from helpdesk.settings import get_settings

logger = logging.getLogger(__name__)


def note_customer_turn(
    *, sender_id: str, text: str | None, metadata: dict[str, Any], url: str | None = None
) -> str | None:
    """Record the customer and return the language to answer this turn in.

    ``None`` when the database cannot be reached: the conversation goes on (Rasa decides the
    language from the tracker alone) and the next message records the customer.
    """
    try:
        with session_scope(url) as session:
            return note_customer_turn_in(session, sender_id=sender_id, text=text, metadata=metadata)
    except HelpdeskError as error:
        logger.warning("Could not record the customer: %s", error)
        return None


def note_customer_turn_in(
    session: Session, *, sender_id: str, text: str | None, metadata: dict[str, Any]
) -> str | None:
    """``note_customer_turn`` in the caller's transaction (errors are the caller's)."""
    caption = metadata.get("caption")
    default = get_settings().default_language

    def decide(current: str | None) -> str | None:
        return turn_language(
            text,
            caption=caption if isinstance(caption, str) else None,
            current=current,
            default=default,
        )

    return note_turn(session, sender_id=sender_id, decide=decide)
