"""Tickets, their messages (transcript, relayed replies, private notes), agents, API tokens,
sign-in attempts, the media-view audit trail and the Zendesk/Freshdesk deliveries seen."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from helpdesk.db.models.base import Base, utcnow


class Agent(Base):
    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(256), nullable=False)
    role = Column(String(16), nullable=False)  # agent, admin
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Ticket(Base):
    __tablename__ = "tickets"
    # A customer's next ticket after a moment (the dashboard's media by use case).
    __table_args__ = (Index("ix_tickets_sender_opened", "sender_id", "opened_at"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    use_case = Column(String(64), nullable=False)
    queue = Column(String(64), nullable=False)
    priority = Column(String(16), nullable=False)  # low, normal, high, urgent
    status = Column(String(24), nullable=False, index=True)  # helpdesk.db.models.status
    trigger = Column(String(32), nullable=False)  # customer_request, triage, capture_failed
    # helpdesk.db.models.status.HandoffReason of the latest handoff (NULL: before 0009)
    handoff_reason = Column(String(32), nullable=True)
    # How many times the case went to a person (a hand back then a new handoff adds one).
    handoffs = Column(Integer, nullable=False, default=1, server_default="1")
    language = Column(String(8), nullable=False, default="en")
    summary = Column(Text, nullable=False)
    fields = Column(JSON, nullable=False, default=list)
    kb_matches = Column(JSON, nullable=False, default=list)
    fixes = Column(JSON, nullable=False, default=list)
    flags = Column(JSON, nullable=False, default=list)
    media_ids = Column(JSON, nullable=False, default=list)
    assignee_id = Column(
        Integer, ForeignKey("agents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    backend = Column(String(16), nullable=False, default="builtin")
    external_id = Column(String(64), nullable=True, index=True)
    external_requester_id = Column(String(64), nullable=True)
    external_error = Column(Text, nullable=True)
    opened_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    first_reply_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class TicketMessage(Base):
    """One line of a ticket's history. ``author``: customer, bot, agent, note (private, never
    sent), system (what happened: assigned, closed, handed back, backend errors)."""

    __tablename__ = "ticket_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(
        Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author = Column(String(16), nullable=False)
    agent_id = Column(Integer, ForeignKey("agents.id", ondelete="SET NULL"), nullable=True)
    text = Column(Text, nullable=True)
    media_id = Column(Integer, nullable=True)  # media.id (a customer's file, or an agent's)
    origin = Column(String(16), nullable=False, default="bot")  # bot, console, api, zendesk…
    delivery = Column(
        String(16), nullable=True
    )  # helpdesk.db.models.status.Delivery (agent replies)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ApiToken(Base):
    """A bearer token of the JSON API; only its SHA-256 is stored."""

    __tablename__ = "agent_tokens"

    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class LoginAttempt(Base):
    """Failed sign-ins, counted per username and per IP for the lockout."""

    __tablename__ = "login_attempts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    ip = Column(String(64), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class MediaView(Base):
    """Audit trail: which agent looked at which customer file, when."""

    __tablename__ = "media_views"

    id = Column(Integer, primary_key=True)
    agent_id = Column(Integer, nullable=True)
    agent_name = Column(String(64), nullable=False)
    media_id = Column(Integer, nullable=False, index=True)
    sender_id = Column(String(128), nullable=False, index=True)
    ticket_id = Column(Integer, nullable=True)
    viewed_at = Column(DateTime, nullable=False, default=utcnow)


class WebhookDelivery(Base):
    """A Zendesk/Freshdesk webhook body being or already delivered. The unique key is what
    stops two replicas (or a retry during a slow send) from both relaying one delivery:
    only one insert of (backend, digest) can succeed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("backend", "digest"),)

    id = Column(Integer, primary_key=True)
    backend = Column(String(16), nullable=False)  # zendesk, freshdesk
    digest = Column(String(64), nullable=False)  # sha256 of the body
    received_at = Column(DateTime, nullable=False, default=utcnow, index=True)
