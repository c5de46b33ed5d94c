"""How each case ended: solved by the bot or by a person, at first contact or not, and
the customer's satisfaction score."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String

from helpdesk.db.models.base import Base, utcnow


class CaseOutcome(Base):
    __tablename__ = "case_outcomes"
    __table_args__ = (
        Index("ix_case_outcomes_sender_resolved", "sender_id", "resolved_at"),
        # Bot-solved cases (no ticket) in a date range: one index range.
        Index("ix_case_outcomes_ticket_resolved", "ticket_id", "resolved_at"),
    )

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    use_case = Column(String(64), nullable=True)
    kb_entry = Column(String(128), nullable=True)  # the fix that solved it
    resolved_by = Column(String(16), nullable=False)  # bot | agent
    first_contact = Column(Boolean, nullable=False, default=False)
    fixes_tried = Column(Integer, nullable=False, default=0)
    ticket_id = Column(Integer, nullable=True)
    satisfaction = Column(Integer, nullable=True)  # 1..5
    resolved_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    rated_at = Column(DateTime, nullable=True)
