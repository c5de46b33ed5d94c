"""Customers as the product knows them, and the record of erasures done on request."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text

from helpdesk.db.models.base import Base, utcnow


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    # The conversation id Rasa uses: the WhatsApp wa_id (or user_id) for WhatsApp customers.
    sender_id = Column(String(128), nullable=False, unique=True)
    language = Column(String(8), nullable=True)
    first_seen_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ErasureRecord(Base):
    """Proof that an erasure happened, without keeping who it was for.

    ``subject_hash`` is a keyed hash (HMAC-SHA256 under a key derived from the media key,
    ``helpdesk.erasure.subject_hash``) of the sender id, so that an operator can answer
    "was my data erased?" for a given number, while the table itself names nobody and
    cannot be reversed by hashing every possible number.
    """

    __tablename__ = "erasure_records"

    id = Column(Integer, primary_key=True)
    subject_hash = Column(String(64), nullable=False, index=True)
    requested_at = Column(DateTime, nullable=False, default=utcnow)
    summary = Column(Text, nullable=False)
