"""WhatsApp channel tables: the durable inbox, outbound messages, button ids, reactions,
identities."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from helpdesk.db.models.base import Base, utcnow

# The type of the one inbox row erasure leaves: no words, only when the customer last wrote.
ERASED_TYPE = "erased"


class InboxMessage(Base):
    """One inbound WhatsApp message, stored before the webhook is acknowledged.

    ``wamid`` is unique: Meta delivers at least once, a redelivery hits the constraint and
    is dropped. ``status`` (``helpdesk.whatsapp.states.InboxStatus``) moves pending →
    processing → done | failed (poison); ``lease_until`` lets another worker (or this one
    after a restart) take over a row whose processor died.
    """

    __tablename__ = "whatsapp_inbox"

    id = Column(Integer, primary_key=True)
    wamid = Column(String(256), nullable=False, unique=True)
    sender_id = Column(String(128), nullable=False)
    phone_number_id = Column(String(64), nullable=False)
    type = Column(String(32), nullable=False)
    # Meta's timestamp (epoch seconds); ordering key within one customer.
    timestamp = Column(Integer, nullable=False)
    body = Column(Text, nullable=False)  # the message object as JSON (+ contact profile)
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    lease_until = Column(DateTime, nullable=True)
    claimed_by = Column(String(128), nullable=True)  # host:pid of the worker that took it
    last_error = Column(Text, nullable=True)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    processed_at = Column(DateTime, nullable=True)

    __table_args__ = (
        Index("ix_whatsapp_inbox_status_sender", "status", "sender_id"),
        # The dashboard counts conversations (customers who wrote) per day.
        Index("ix_whatsapp_inbox_received_sender", "received_at", "sender_id"),
        # A customer's messages in order: the claim, the 24-hour window, a first contact's
        # days (migration 0014).
        Index("ix_whatsapp_inbox_sender_timestamp", "sender_id", "timestamp"),
    )


class OutboundMessage(Base):
    """A message the bot sent (or tried to send) through the Graph API, with its status."""

    __tablename__ = "whatsapp_outbound"

    id = Column(Integer, primary_key=True)
    wamid = Column(String(256), nullable=True, unique=True)
    recipient_id = Column(String(128), nullable=False, index=True)
    type = Column(String(32), nullable=False)
    payload = Column(Text, nullable=False)  # JSON exactly as posted to /messages
    # helpdesk.whatsapp.states.OutboundStatus: queued → accepted → sent → delivered → read,
    # or failed (Meta's status) / error (never accepted)
    status = Column(String(16), nullable=False, default="queued")
    error_code = Column(Integer, nullable=True)
    error_message = Column(Text, nullable=True)
    resends = Column(Integer, nullable=False, default=0)
    # The inbound message this answers and the reply's position in that turn: a turn
    # replayed after a crash skips what it already sent (helpdesk.whatsapp.replay).
    reply_to = Column(String(256), nullable=True)
    reply_seq = Column(Integer, nullable=True)
    # From the status webhooks' ``pricing``: what Meta bills this message as.
    category = Column(String(32), nullable=True)
    billable = Column(Boolean, nullable=True)
    pricing_type = Column(String(32), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("reply_to", "reply_seq", name="uq_whatsapp_outbound_reply"),
        # Cost over a date range reads this index alone (helpdesk.whatsapp.pricing).
        Index(
            "ix_whatsapp_outbound_cost", "created_at", "billable", "recipient_id", "category"
        ),
    )


class ButtonId(Base):
    """Maps a short reply-button/list-row id to a Rasa payload too long for Meta's limits."""

    __tablename__ = "whatsapp_button_ids"

    short_id = Column(String(64), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Reaction(Base):
    """A customer's emoji reaction to a message (an empty emoji removes the reaction)."""

    __tablename__ = "whatsapp_reactions"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    message_wamid = Column(String(256), nullable=False)
    emoji = Column(String(32), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class WhatsAppIdentity(Base):
    """One WhatsApp user, however Meta names them: phone number, BSUID, or both.

    ``key`` is the customer's id everywhere else (inbox, tickets, Rasa's ``sender_id``): the
    first identifier the product saw for them, never changed afterwards, so a conversation
    stays one conversation when Meta starts sending a BSUID or the user changes number.
    ``phone`` and ``user_id`` are unique where set; a row merged into another (the same
    person seen under two keys) keeps its key with ``merged_into`` set, so erasing the
    person finds the rows stored under either key.
    """

    __tablename__ = "whatsapp_identities"

    id = Column(Integer, primary_key=True)
    key = Column(String(160), nullable=False, unique=True)
    phone = Column(String(32), nullable=True, unique=True)
    user_id = Column(String(160), nullable=True, unique=True)  # BSUID, e.g. US.1349…
    parent_user_id = Column(String(160), nullable=True)  # US.ENT.… for managed businesses
    username = Column(String(64), nullable=True)
    merged_into = Column(Integer, nullable=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
