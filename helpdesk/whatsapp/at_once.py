"""A reply's records in one statement each, committed by itself (PostgreSQL).

The patient way (``Sender._prepare``, ``records.mark_accepted``) is a transaction each:
the window check, the customer's address, the reply's reservation, then the wamid Meta
gave — six statements and two BEGIN/COMMIT pairs on every reply of every turn. In the
usual case the worker's claim already read what the first two need (``replay.Answering``:
the message's time opens the 24-hour window, the claim's statement read the address), and
nothing was reserved for the reply before: one ``INSERT ... ON CONFLICT DO NOTHING``
reserves it, one ``UPDATE`` records its wamid. Whatever else (a replayed turn whose reply
is reserved already, a status that came before the wamid, a database failure, SQLite)
returns ``None``/``False`` here, for the patient way to settle it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from helpdesk.db import autocommit
from helpdesk.db.models.base import utcnow
from helpdesk.whatsapp import payloads, statements
from helpdesk.whatsapp.records import Reservation, accept
from helpdesk.whatsapp.replay import answering, callback_data
from helpdesk.whatsapp.states import OutboundStatus
from helpdesk.whatsapp.writes import postgresql

logger = logging.getLogger(__name__)


def _first(url: str | None, values: dict[str, Any]) -> int | None:
    with autocommit(url) as connection:
        return connection.execute(statements.RESERVE_FIRST, values).scalar()


async def reserve(
    url: str | None,
    *,
    recipient_id: str,
    payload: dict[str, Any],
    key: tuple[str, int],
    in_window: Any,
) -> tuple[dict[str, Any], Reservation] | None:
    """``Sender._prepare``'s usual case: the body as it goes and its new reservation, or
    None for ``_prepare`` to decide (``in_window(timestamp)``: the sender's clock)."""
    known = answering(recipient_id)
    if known is None or not postgresql(url):
        return None
    if payload.get("type") != "template" and not in_window(known.timestamp):
        return None  # an old message: the window may still be open, the database says
    body = payloads.addressed(payload, phone=known.phone, user_id=known.user_id)
    body = {**body, "biz_opaque_callback_data": callback_data(key)}
    values = {
        "recipient_id": recipient_id,
        "reply_to": key[0],
        "reply_seq": key[1],
        "type": str(body.get("type") or "unknown")[:32],
        "payload": json.dumps(body, ensure_ascii=False),
        "status": OutboundStatus.QUEUED.value,
        "now": utcnow(),
    }
    try:
        outbound_id = await asyncio.to_thread(_first, url, values)
    except Exception as error:  # the patient way tries again (and finds it, if it is in)
        logger.warning("Reserving reply %d of %s at once failed: %s", key[1], key[0], error)
        return None
    return None if outbound_id is None else (body, Reservation(outbound_id))


def _accept(url: str | None, outbound_id: int, wamid: str) -> bool:
    with autocommit(url) as connection:
        return accept(connection, outbound_id=outbound_id, wamid=wamid)


async def accepted(url: str | None, *, outbound_id: int, wamid: str) -> bool:
    """The wamid recorded by one UPDATE committed by itself; False when ``mark_accepted``
    must settle it (a status came first, or the database failed: it keeps trying)."""
    if not postgresql(url):
        return False
    try:
        return await asyncio.to_thread(_accept, url, outbound_id, wamid)
    except Exception as error:  # the patient way tries again
        logger.warning("Recording wamid %s at once failed: %s", wamid, error)
        return False
