"""Media a customer sent (or an agent attached), with where it is stored and its analysis."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text

from helpdesk.db.models.base import Base, utcnow


class MediaRecord(Base):
    """One received file. The bytes live encrypted in the media store under ``sha256``;
    several records (customers, messages) may point at the same object."""

    __tablename__ = "media"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    sha256 = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # image, video, audio, document
    mime = Column(String(128), nullable=False)
    size = Column(Integer, nullable=False)
    source = Column(String(32), nullable=False)  # whatsapp, console, cli, ...
    caption = Column(Text, nullable=True)
    wa_media_id = Column(String(128), nullable=True)
    purpose = Column(String(32), nullable=True)  # photo, label, screenshot, receipt, video
    analysis = Column(JSON, nullable=True)  # helpdesk.media.Analysis.to_dict()
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    analysed_at = Column(DateTime, nullable=True)
