"""The channel's rows that both directions touch, below ``inbox`` and ``outbound``.

Outbound records and their statuses (written when the bot sends, updated by the status
webhooks the inbox stores), the short ids behind reply buttons (written when sending, read
when the customer taps), reactions, when the customer last wrote (the inbox's rows open the
24-hour window the sender keeps), and the channel's erasure step. Plain functions on a
``Session``; the caller owns the transaction (``service.store_events`` applies statuses in
the same one that stores the messages).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from helpdesk.db.models import ButtonId, InboxMessage, OutboundMessage, Reaction
from helpdesk.db.models.base import utcnow
from helpdesk.db.models.whatsapp import ERASED_TYPE
from helpdesk.errors import GraphAPIError
from helpdesk.whatsapp import identity, payloads, statements
from helpdesk.whatsapp.pricing import billing_of, record_billing
from helpdesk.whatsapp.replay import key_from_callback
from helpdesk.whatsapp.states import OUTBOUND_RANK, InboxStatus, OutboundStatus
from helpdesk.whatsapp.webhook import Status

logger = logging.getLogger(__name__)


def record_outbound(
    session: Session, *, recipient_id: str, payload: dict[str, Any], resends: int = 0
) -> int:
    """Record a message about to be sent; ``resends``: how many times this content was
    sent before (a resend carries its original's count, so the limit is per message; once
    a row was resent its own count is set to the limit)."""
    row = OutboundMessage(
        recipient_id=recipient_id,
        type=str(payload.get("type") or "unknown")[:32],
        payload=json.dumps(payload, ensure_ascii=False),
        status=OutboundStatus.QUEUED,
        resends=resends,
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class Reservation:
    """The outbound row of one keyed reply, and what a previous run left on it."""

    id: int
    # Set when a previous run of the turn got this reply accepted by Meta: do not send.
    wamid: str | None = None
    # Set when a previous run reserved the reply and never learned whether Meta accepted
    # it (the process died while sending): when that run reserved it.
    unconfirmed_since: datetime | None = None


def reserve_reply(
    session: Session,
    *,
    recipient_id: str,
    payload: dict[str, Any],
    reply_to: str,
    reply_seq: int,
    resend_unconfirmed: bool = False,
) -> Reservation:
    """The outbound row for reply ``reply_seq`` to inbound ``reply_to``, reserved for this
    send unless a previous run of the turn got it accepted (``wamid``) or perhaps got it
    accepted (``unconfirmed_since``; reserved anyway with ``resend_unconfirmed``).

    Plain SQL: one per reply of every turn, where the ORM's select, object and flush cost
    more CPU than the statements."""
    key = {"reply_to": reply_to, "reply_seq": reply_seq}
    row = session.execute(statements.RESERVED, key).first()
    if row is not None and row.wamid:
        return Reservation(row.id, wamid=row.wamid)
    if row is not None and row.status == OutboundStatus.QUEUED and not resend_unconfirmed:
        # Queued without a wamid: the run that reserved it stopped between the reservation
        # and Meta's answer. Left as it is, so its time still says when that was.
        return Reservation(row.id, unconfirmed_since=row.updated_at)
    # Never accepted (Meta refused it, or nobody heard from Meta in time): send.
    values = {
        **key,
        "type": str(payload.get("type") or "unknown")[:32],
        "payload": json.dumps(payload, ensure_ascii=False),
        "status": OutboundStatus.QUEUED.value,
        "now": utcnow(),
    }
    if row is None:
        outbound_id = session.execute(
            statements.RESERVE_NEW, {**values, "recipient_id": recipient_id}
        ).scalar_one()
        return Reservation(outbound_id)
    session.execute(statements.RESERVE_AGAIN, {**values, "id": row.id})
    return Reservation(row.id)


def reply_wamid(session: Session, *, outbound_id: int) -> str | None:
    """The wamid a status webhook (or the sender) has written on a reserved reply so far."""
    return session.execute(
        select(OutboundMessage.wamid).where(OutboundMessage.id == outbound_id)
    ).scalar_one_or_none()


def mark_accepted(session: Session, *, outbound_id: int, wamid: str) -> None:
    """Meta accepted the message (its statuses follow by webhook).

    A status can overtake this call (it comes on another connection); ``apply_status``
    then left a placeholder row under the wamid, which is folded in here.
    """
    # The usual case (no status came first) in one plain UPDATE; the ORM's way below when
    # the row is already in this session or a status left a placeholder. Not on SQLite:
    # the UPDATE would take its one write lock before the wamid is known to be free, where
    # the ORM's way only reads until the commit.
    if (
        not session.identity_map
        and not session.new
        and session.get_bind().dialect.name == "postgresql"
        and accept(session, outbound_id=outbound_id, wamid=wamid)
    ):
        return
    row = session.get(OutboundMessage, outbound_id)
    if row is None:
        return
    early = session.execute(
        select(OutboundMessage).where(OutboundMessage.wamid == wamid)
    ).scalar_one_or_none()
    if row.status in (OutboundStatus.QUEUED, OutboundStatus.ERROR):
        row.status = OutboundStatus.ACCEPTED
        row.error_code = None
    if early is not None and early.id != row.id:
        if OUTBOUND_RANK.get(early.status, 0) > OUTBOUND_RANK.get(row.status, 0) or (
            early.status == OutboundStatus.FAILED
        ):
            row.status = early.status
            row.error_code, row.error_message = early.error_code, early.error_message
        session.delete(early)
        session.flush()
    row.wamid = wamid


def accept(connection: Session | Connection, *, outbound_id: int, wamid: str) -> bool:
    """``mark_accepted``'s usual case alone (PostgreSQL), on a session or a connection
    that commits each statement; ``False``: a status came first (its placeholder row holds
    the wamid) or there is no such row, for ``mark_accepted`` to settle."""
    params = {
        "id": outbound_id,
        "wamid": wamid,
        "accepted": OutboundStatus.ACCEPTED.value,
        "queued": OutboundStatus.QUEUED.value,
        "error": OutboundStatus.ERROR.value,
        "now": utcnow(),
    }
    return bool(connection.execute(statements.ACCEPTED, params).rowcount)


def mark_error(session: Session, *, outbound_id: int, error: GraphAPIError) -> None:
    row = session.get(OutboundMessage, outbound_id)
    if row is not None:
        row.status = OutboundStatus.ERROR
        row.error_code = error.code
        row.error_message = str(error)[:2000]


def apply_status(session: Session, *, status: Status) -> None:
    """Apply a sent/delivered/read/failed status; never moves a status backwards."""
    if status.status != OutboundStatus.FAILED and _advance(session, status=status):
        return
    row = session.execute(
        select(OutboundMessage).where(OutboundMessage.wamid == status.wamid)
    ).scalar_one_or_none()
    key = key_from_callback(status.callback_data)
    if row is None and key is not None:
        # A reply whose sender may have died before recording what Meta called it: the
        # status names the reply, so a replay of its turn will not send it again.
        row = session.execute(
            select(OutboundMessage).where(
                OutboundMessage.reply_to == key[0],
                OutboundMessage.reply_seq == key[1],
                OutboundMessage.wamid.is_(None),
            )
        ).scalar_one_or_none()
        if row is not None:
            row.wamid = status.wamid
            if row.status in (OutboundStatus.QUEUED, OutboundStatus.ERROR):
                row.status = OutboundStatus.ACCEPTED
    if row is None:
        # The status overtook our own record of the send: keep it under the wamid until
        # ``mark_accepted`` folds it in (or as the only trace of a message sent elsewhere).
        row = OutboundMessage(
            wamid=status.wamid,
            recipient_id=_recipient_key(session, status),
            type="unknown",
            payload="{}",
            status=OutboundStatus.QUEUED,
            resends=0,
        )
        session.add(row)
    if status.status == OutboundStatus.FAILED:
        error = status.errors[0] if status.errors else {}
        row.status = OutboundStatus.FAILED
        row.error_code = error.get("code")
        details = (error.get("error_data") or {}).get("details")
        row.error_message = " — ".join(
            str(part) for part in (error.get("title") or error.get("message"), details) if part
        )
        logger.warning(
            "WhatsApp could not deliver %s: %s %s", status.wamid, row.error_code, row.error_message
        )
    elif OUTBOUND_RANK.get(status.status, 0) > OUTBOUND_RANK.get(row.status, 0):
        row.status = OutboundStatus(status.status)
    record_billing(row, status.pricing)


def advance(connection: Session | Connection, *, status: Status) -> bool:
    """``apply_status``'s usual case alone, on a session or a connection (the ingest runs
    it on one that commits each statement: a status webhook is then one statement, no
    BEGIN or COMMIT); ``False``: it takes ``apply_status`` (no row under the wamid yet,
    nothing to change, or a failure)."""
    if status.status == OutboundStatus.FAILED:
        return False
    billing = billing_of(status.pricing)
    params: dict[str, Any] = {
        "rank": OUTBOUND_RANK.get(status.status, 0),
        "status": str(status.status),
        "wamid": status.wamid,
        "now": utcnow(),
    }
    if billing is not None:
        params.update(
            category=billing.category, billable=billing.billable, pricing_type=billing.type
        )
    return bool(connection.execute(statements.advance_sql(billing is not None), params).rowcount)


def _advance(session: Session, *, status: Status) -> bool:
    """The common case in one UPDATE: the reply's row is known by its wamid, and the status
    moves it forward or brings its billing (three such webhooks per reply, each a SELECT
    and an UPDATE before). ``False``: no such row or nothing to change; the caller then
    looks for a reserved row or keeps the status under its wamid."""
    rank = OUTBOUND_RANK.get(status.status, 0)
    if not session.identity_map and not session.new:
        # No row of this session can go stale (a status-only webhook: the usual case), so
        # plain SQL, without the ORM's statement and its synchronisation.
        return advance(session, status=status)
    ranks = {str(name): value for name, value in OUTBOUND_RANK.items()}
    row_rank = case(ranks, value=OutboundMessage.status, else_=0)
    values: dict[str, Any] = {
        "status": case((row_rank < rank, status.status), else_=OutboundMessage.status)
    }
    changes = row_rank < rank
    billing = billing_of(status.pricing)
    if billing is not None:
        values.update(
            category=billing.category, billable=billing.billable, pricing_type=billing.type
        )
        changes = true()
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.wamid == status.wamid, changes)
        .values(**values)
        # A row of this session sees the change (PostgreSQL: RETURNING, no extra SELECT).
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)


def _recipient_key(session: Session, status: Status) -> str:
    """The customer a status is about: the identity behind its BSUID or phone number."""
    for identifier in (status.recipient_user_id, status.recipient_id):
        if identifier:
            key = identity.key_for(session, identifier=identifier)
            if key:
                return key
    return status.recipient_id or status.recipient_user_id or "unknown"


def get_outbound(session: Session, *, recipient_id: str) -> list[OutboundMessage]:
    return list(
        session.execute(
            select(OutboundMessage)
            .where(OutboundMessage.recipient_id == recipient_id)
            .order_by(OutboundMessage.id)
        ).scalars()
    )


def claim_resend(session: Session, *, wamid: str, max_resends: int) -> tuple[str, dict, int] | None:
    """Claim the resend of a failed message: its recipient, body and the resend's count, or
    None when it is unknown, was resent already, or reached ``max_resends``."""
    row = session.execute(
        select(OutboundMessage).where(OutboundMessage.wamid == wamid)
    ).scalar_one_or_none()
    if row is None or row.resends >= max_resends:
        return None  # the limit is reached, or this row was resent already
    resends = row.resends + 1
    # This row is done: a redelivered "failed" status for it sends nothing more.
    row.resends = max_resends
    return row.recipient_id, json.loads(row.payload), resends


def choice_id(session: Session, *, payload: str) -> str:
    """The id to put on a button/row for ``payload``; long payloads get a stored short id."""
    if 0 < len(payload) <= payloads.MAX_ROW_ID:
        return payload
    short = "hd:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
    if session.get(ButtonId, short) is None:
        session.add(ButtonId(short_id=short, payload=payload))
        session.flush()
    return short


def resolve_choice(session: Session, *, choice: str) -> str:
    """The Rasa payload behind a tapped button/row id."""
    if choice.startswith("hd:"):
        row = session.get(ButtonId, choice)
        if row is not None:
            return row.payload
    return choice


def record_reaction(
    session: Session, *, sender_id: str, message_wamid: str, emoji: str | None
) -> None:
    session.add(Reaction(sender_id=sender_id, message_wamid=message_wamid, emoji=emoji or None))


def last_inbound_timestamp(session: Session, *, sender_id: str) -> int | None:
    """When the customer last wrote (epoch seconds): opens the 24-hour service window."""
    return session.execute(statements.LAST_INBOUND, {"sender_id": sender_id}).scalar_one_or_none()


def erase_all(session: Session, *, sender_id: str) -> int:
    """Erasure step for everything the channel keeps about a customer.

    Every inbox row goes except the newest, kept as a tombstone (body emptied, type
    ``erased``) so that the 24-hour window stays open and "your data was deleted" can still
    be sent; the purge removes it once the window has closed (``helpdesk.retention``)."""
    deleted = 0
    for statement in (
        delete(OutboundMessage).where(OutboundMessage.recipient_id == sender_id),
        delete(Reaction).where(Reaction.sender_id == sender_id),
    ):
        deleted += session.execute(statement).rowcount or 0
    newest = session.execute(
        select(InboxMessage.id)
        .where(InboxMessage.sender_id == sender_id)
        .order_by(InboxMessage.timestamp.desc(), InboxMessage.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if newest is None:
        return deleted
    deleted += (
        session.execute(
            delete(InboxMessage).where(
                InboxMessage.sender_id == sender_id, InboxMessage.id != newest
            )
        ).rowcount
        or 0
    )
    session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == newest)
        .values(body="{}", type=ERASED_TYPE, status=InboxStatus.DONE, last_error=None)
    )
    return deleted + 1
