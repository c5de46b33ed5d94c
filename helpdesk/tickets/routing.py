"""While a person has the case, what the customer sends goes to the ticket, not the bot.

The WhatsApp channel asks ``route_to_agent`` before handing a message to Rasa. The bot is
"paused" simply by not being asked: when the agent closes the case or hands it back, the
console resumes it through Rasa's API (helpdesk.tickets.relay.resume_bot).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.customer_seen import note_customer_turn, note_customer_turn_in
from helpdesk.db import session_scope
from helpdesk.errors import DatabaseUnavailable, HelpdeskError
from helpdesk.tickets.handoff import cancel, customer_message
from helpdesk.tickets.queries import has_active_ticket

logger = logging.getLogger(__name__)

CANCEL_PAYLOAD = "/cancel"


def route_to_agent(*, sender_id: str, text: str, metadata: dict[str, Any]) -> bool:
    """True when the message was added to the customer's active ticket.

    The "Cancel my request" button (``/cancel``) withdraws the request instead, and the
    bot takes the conversation back. ``DatabaseUnavailable`` (a lock, a restart) is raised:
    whether a person has the case is unknown, so the inbox retries the message later
    rather than letting the bot answer during a handoff. Other ticketing failures send the
    message to the bot rather than lose it.
    """
    try:
        if text == CANCEL_PAYLOAD:
            if cancel(sender_id=sender_id) is not None:
                logger.info("A customer withdrew their request for a person.")
            return False
        media = metadata.get("media") or []
        words = metadata.get("text") or metadata.get("button_title")
        if not words and not text.startswith("/"):
            words = text
        return customer_message(
            sender_id=sender_id,
            text=words or None,
            media_id=media[0].get("id") if media else None,
        )
    except DatabaseUnavailable:
        raise
    except HelpdeskError as error:
        logger.error("Could not relay to the ticket, the bot answers instead: %s", error)
        return False


@dataclass(frozen=True)
class BotTurn:
    """The bot has the conversation: the message goes to the dialogue in ``language``."""

    language: str | None


def bot_turn(
    session: Session, *, sender_id: str, text: str, metadata: dict[str, Any]
) -> BotTurn | None:
    """``dialogue_metadata``'s usual case in the caller's transaction: no person has the
    case and it is no withdrawal, so the customer is recorded and the turn's language
    returned; None when the message must go the long way (``dialogue_metadata``). Errors
    are the caller's: the inbox tries the message again, rather than the bot answering
    without knowing whether a person has the case."""
    if text == CANCEL_PAYLOAD or has_active_ticket(session, sender_id=sender_id):
        return None
    return BotTurn(
        note_customer_turn_in(session, sender_id=sender_id, text=text, metadata=metadata)
    )


def with_language(metadata: dict[str, Any], language: str | None) -> dict[str, Any]:
    """The turn's metadata with its language (the slot follows it inside Rasa)."""
    metadata = dict(metadata)
    if language:
        metadata["language"] = language
    return metadata


def dialogue_metadata(
    *, sender_id: str, text: str, metadata: dict[str, Any], url: str | None = None
) -> dict[str, Any] | None:
    """The metadata to run a customer's message through the dialogue with, the turn's
    language in it; None when a person has the case (the message went to the ticket).

    What every WhatsApp delivery does first, whether Rasa's channel or the worker process
    runs the inbox; one thread hop for both steps (they are database work). The usual
    message — no ticket with a person, no withdrawal — is looked up and its customer
    recorded in one transaction (``bot_turn``; two before, each with its session).
    """
    if text != CANCEL_PAYLOAD:
        with session_scope(url) as session:
            found = bot_turn(session, sender_id=sender_id, text=text, metadata=metadata)
        if found is not None:
            return with_language(metadata, found.language)
    if route_to_agent(sender_id=sender_id, text=text, metadata=metadata):
        return None
    language = note_customer_turn(sender_id=sender_id, text=text, metadata=metadata)
    return with_language(metadata, language)
