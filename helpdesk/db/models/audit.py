"""The audit trail: who did what to which record (``helpdesk.audit``)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from helpdesk.db.models.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    # An agent's username, or "cli", "customer", "system"; agent_id when it was an agent.
    actor = Column(String(64), nullable=False, index=True)
    actor_id = Column(Integer, nullable=True)
    action = Column(String(32), nullable=False)  # helpdesk.audit.AuditAction
    target = Column(String(128), nullable=True)  # "ticket 12", "media 40", "agent bob"
    # The customer the record belongs to, so erasure can take the key out of the trail.
    sender_id = Column(String(160), nullable=True, index=True)
    ip = Column(String(64), nullable=True)
    detail = Column(Text, nullable=True)  # JSON

    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)
