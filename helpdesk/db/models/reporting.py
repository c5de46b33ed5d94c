"""The dashboard's daily rollups (``helpdesk.reporting.rollup``): counts per UTC day and
the dimensions the dashboard filters on, and per-ticket durations. Aggregates only: no
sender id, phone number, name or text is kept here (erasure has nothing to find)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String

from helpdesk.db.models.base import Base
from helpdesk.db.models.media import MediaRecord
from helpdesk.db.models.outcomes import CaseOutcome
from helpdesk.db.models.tickets import Ticket
from helpdesk.db.models.whatsapp import OutboundMessage, WhatsAppIdentity


class ReportCount(Base):
    """``n`` facts of ``part`` on ``day`` (cases, conversations, ratings, files, refusals,
    signals, billable messages) for one combination of use case, language, queue and the
    part's own keys ``a``/``b``/``c`` (see ``helpdesk.reporting.rollup_rows.Part``)."""

    __tablename__ = "report_counts"
    # Covering: a view reads the index only.
    __table_args__ = (
        Index(
            "ix_report_counts_part_day",
            "part", "day", "use_case", "language", "queue", "a", "b", "c", "n",
        ),
    )  # fmt: skip

    id = Column(Integer, primary_key=True)
    part = Column(String(16), nullable=False)
    day = Column(String(10), nullable=False)  # YYYY-MM-DD, UTC
    use_case = Column(String(64), nullable=True)
    language = Column(String(8), nullable=True)
    queue = Column(String(64), nullable=True)
    a = Column(String(64), nullable=True)
    b = Column(String(64), nullable=True)
    c = Column(String(64), nullable=True)
    n = Column(Integer, nullable=False)


class ReportTicketTime(Base):
    """A handed-off ticket's response and resolution times in seconds, wall-clock and
    within business hours (``hours`` names the business hours they were counted in)."""

    __tablename__ = "report_ticket_times"
    __table_args__ = (Index("ix_report_ticket_times_day", "day"),)

    ticket_id = Column(Integer, primary_key=True, autoincrement=False)
    day = Column(String(10), nullable=False)
    use_case = Column(String(64), nullable=False)
    language = Column(String(8), nullable=False)
    queue = Column(String(64), nullable=False)
    first_response = Column(Float, nullable=True)
    resolution = Column(Float, nullable=True)
    business_first_response = Column(Float, nullable=True)
    business_resolution = Column(Float, nullable=True)
    hours = Column(String(128), nullable=False)


class ReportDirtyDay(Base):
    """A day whose rollups must be recomputed (written where rows are deleted: erasure
    and retention purges)."""

    __tablename__ = "report_dirty_days"

    day = Column(String(10), primary_key=True)


class ReportState(Base):
    """``watermark``: when the last refresh started (changes after it are looked for)."""

    __tablename__ = "report_state"

    name = Column(String(32), primary_key=True)
    at = Column(DateTime, nullable=True)
    value = Column(String(128), nullable=True)


# What the rollup's refresh looks for since its watermark: rows changed after it (declared
# here so the reporting migration owns them; they belong to the other features' tables).

CHANGE_INDEXES = (
    Index("ix_rollup_tickets_updated_at", Ticket.updated_at),
    Index("ix_rollup_case_outcomes_rated_at", CaseOutcome.rated_at),
    Index("ix_rollup_media_analysed_at", MediaRecord.analysed_at),
    Index("ix_rollup_whatsapp_outbound_updated_at", OutboundMessage.updated_at),
    Index("ix_rollup_whatsapp_identities_updated_at", WhatsAppIdentity.updated_at),
)
