"""Perceptual fingerprints of stored media, one row per hashed view (see
``helpdesk.media.authenticity.fingerprint``), indexed for multi-index hashing: the 64-bit key
is split in four 16-bit chunks, each in its own indexed column, so that "which stored views
share a chunk with this one" is four index look-ups on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String

from helpdesk.db.models.base import Base, utcnow


class MediaFingerprint(Base):
    __tablename__ = "media_fingerprints"

    id = Column(Integer, primary_key=True)
    # Erasing a media row erases its fingerprints with it (the database cascades).
    media_id = Column(
        Integer, ForeignKey("media.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sender_id = Column(String(128), nullable=False)
    view = Column(String(16), nullable=False)
    key = Column(BigInteger, nullable=False)  # signed 64-bit (SQL has no unsigned)
    detail = Column(String(64), nullable=False)  # 256-bit hash, hex
    k0 = Column(Integer, nullable=False, index=True)
    k1 = Column(Integer, nullable=False, index=True)
    k2 = Column(Integer, nullable=False, index=True)
    k3 = Column(Integer, nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
