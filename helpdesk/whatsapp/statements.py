"""The channel's statements run on every turn, as plain SQL built once.

Building, keying and compiling an ORM statement cost more CPU than running it (~0.5 ms a
statement on this machine, against ~0.1 ms for plain SQL), and a WhatsApp turn runs some
twenty: the replies' records and the status webhooks use these (``records``). Plain SQL
that both SQLite and PostgreSQL run.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import text

from helpdesk.db.models import OutboundMessage
from helpdesk.whatsapp.states import OUTBOUND_RANK

RESERVED = text(
    "SELECT id, wamid, status, updated_at FROM whatsapp_outbound "
    "WHERE reply_to = :reply_to AND reply_seq = :reply_seq"
).columns(
    OutboundMessage.id, OutboundMessage.wamid, OutboundMessage.status, OutboundMessage.updated_at
)
RESERVE_NEW = text(
    "INSERT INTO whatsapp_outbound (recipient_id, type, payload, status, resends, reply_to, "
    "reply_seq, created_at, updated_at) VALUES (:recipient_id, :type, :payload, :status, 0, "
    ":reply_to, :reply_seq, :now, :now) RETURNING id"
)
RESERVE_AGAIN = text(
    "UPDATE whatsapp_outbound SET type = :type, payload = :payload, status = :status, "
    "updated_at = :now WHERE id = :id"
)

ACCEPTED = text(
    "UPDATE whatsapp_outbound SET wamid = :wamid, "
    "status = CASE WHEN status IN (:queued, :error) THEN :accepted ELSE status END, "
    "error_code = CASE WHEN status IN (:queued, :error) THEN NULL ELSE error_code END, "
    "updated_at = :now WHERE id = :id "
    "AND NOT EXISTS (SELECT 1 FROM whatsapp_outbound AS early WHERE early.wamid = :wamid)"
)


@functools.cache
def advance_sql(billing: bool) -> Any:
    """``records.advance``'s UPDATE as plain SQL (built once): the ORM statement cost ~0.5 ms of
    CPU to build, key and compile on every status webhook, three per reply."""
    ranks = " ".join(f"WHEN '{name}' THEN {value}" for name, value in OUTBOUND_RANK.items())
    row_rank = f"(CASE status {ranks} ELSE 0 END)"
    sets = [f"status = CASE WHEN {row_rank} < :rank THEN :status ELSE status END"]
    changes = f"{row_rank} < :rank"
    if billing:
        sets.append("category = :category, billable = :billable, pricing_type = :pricing_type")
        changes = "1 = 1"
    sets.append("updated_at = :now")
    return text(
        f"UPDATE whatsapp_outbound SET {', '.join(sets)} WHERE wamid = :wamid AND {changes}"
    )


# Asked before every reply.
LAST_INBOUND = text("SELECT max(timestamp) FROM whatsapp_inbox WHERE sender_id = :sender_id")

# A reply's first reservation, when no run of the turn reserved it before (``at_once``);
# nothing comes back when one did, for ``records.reserve_reply`` to read it.
RESERVE_FIRST = text(
    "INSERT INTO whatsapp_outbound (recipient_id, type, payload, status, resends, reply_to, "
    "reply_seq, created_at, updated_at) VALUES (:recipient_id, :type, :payload, :status, 0, "
    ":reply_to, :reply_seq, :now, :now) ON CONFLICT (reply_to, reply_seq) DO NOTHING "
    "RETURNING id"
)
