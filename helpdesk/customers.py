"""Customers: who has talked to the bot, and in which language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from helpdesk.db import rollup_marks as marks
from helpdesk.db.models import Customer
from helpdesk.db.models.base import utcnow

_UNREAD = object()


def record_customer_seen(
    session: Session, *, sender_id: str, language: str | None, customer: Any = _UNREAD
) -> Customer:
    """Create the customer on first contact, refresh last-seen and language afterwards
    (``customer``: the row, or None, when the caller has just read it in this session)."""
    if customer is _UNREAD:
        customer = get_customer(session, sender_id=sender_id)
    if customer is None:
        if language:  # the dashboard counts what they did before under this language
            marks.mark_senders(session, sender_ids=[sender_id])
        customer = Customer(sender_id=sender_id, language=language)
        session.add(customer)
    else:
        customer.last_seen_at = utcnow()
        if language and language != customer.language:
            # The dashboard counts this customer's past cases under the new language.
            marks.mark_senders(session, sender_ids=[sender_id])
            customer.language = language
    session.flush()
    return customer


_LANGUAGE_OF = text("SELECT language FROM customers WHERE sender_id = :sender_id")
_TOUCH = text("UPDATE customers SET last_seen_at = :now WHERE sender_id = :sender_id")
_TOUCH_IN = text(
    "UPDATE customers SET last_seen_at = :now, language = :language WHERE sender_id = :sender_id"
)
_ADD = text(
    "INSERT INTO customers (sender_id, language, first_seen_at, last_seen_at) "
    "VALUES (:sender_id, :language, :now, :now)"
)


def note_turn(
    session: Session, *, sender_id: str, decide: Callable[[str | None], str | None]
) -> str | None:
    """``record_customer_seen`` for a message's turn, in plain SQL (the worker runs it on
    every WhatsApp message, where the ORM's select, object and flush cost more CPU than
    the two statements): ``decide(stored language)`` gives the turn's language, which is
    recorded and returned."""
    row = session.execute(_LANGUAGE_OF, {"sender_id": sender_id}).first()
    current = row[0] if row is not None else None
    language = decide(current)
    now = utcnow()
    changed = bool(language) and (row is None or language != current)
    if changed:  # the dashboard counts this customer's past cases under the new language
        marks.mark_senders(session, sender_ids=[sender_id])
    params = {"sender_id": sender_id, "language": language, "now": now}
    if row is None:
        session.execute(_ADD, params)
    else:
        session.execute(_TOUCH_IN if changed else _TOUCH, params)
    return language


def get_customer(session: Session, *, sender_id: str) -> Customer | None:
    return session.execute(
        select(Customer).where(Customer.sender_id == sender_id)
    ).scalar_one_or_none()


def erase(session: Session, *, sender_id: str) -> int:
    """Delete the customer row; returns the number of rows deleted (erasure step)."""
    result = session.execute(delete(Customer).where(Customer.sender_id == sender_id))
    return result.rowcount or 0
