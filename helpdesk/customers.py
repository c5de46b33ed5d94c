"""Customers: who has talked to the bot, and in which language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
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


def get_customer(session: Session, *, sender_id: str) -> Customer | None:
    return session.execute(
        select(Customer).where(Customer.sender_id == sender_id)
    ).scalar_one_or_none()


def erase(session: Session, *, sender_id: str) -> int:
    """Delete the customer row; returns the number of rows deleted (erasure step)."""
    result = session.execute(delete(Customer).where(Customer.sender_id == sender_id))
    return result.rowcount or 0
