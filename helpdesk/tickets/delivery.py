"""Telling agents when WhatsApp cannot reach a customer (``Sender``'s ``on_stop`` hook)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from helpdesk.db import session_scope
from helpdesk.tickets.lines import add_note
from helpdesk.tickets.queries import active_ticket_for


def note_on_ticket(sender_id: str, note: str, *, url: str | None = None) -> bool:
    """A private note on the customer's open ticket; False when they have none (the
    channel has logged the problem already)."""
    with session_scope(url) as session:
        ticket = active_ticket_for(session, sender_id=sender_id)
        if ticket is None:
            return False
        add_note(session, ticket_id=ticket.id, agent_id=None, text=note)
        return True


def ticket_notifier(url: str | None = None) -> Callable[[str, str], Awaitable[None]]:
    """The ``on_stop`` hook for ``WhatsAppService``: notes go to the customer's ticket."""

    async def tell(sender_id: str, note: str) -> None:
        await asyncio.to_thread(note_on_ticket, sender_id, note, url=url)

    return tell
