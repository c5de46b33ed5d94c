"""Perceptual fingerprints of stored media, one row per hashed view (see
``helpdesk.media.authenticity.fingerprint``), indexed for multi-index hashing: the 64-bit key
is split in four 16-bit chunks, each in its own indexed column, so that "which stored views
share a chunk with this one" is four index look-ups on SQLite and PostgreSQL alike. Each
chunk index also holds the media id, so a look-up reads the index alone (a covering index)
and never visits the table's rows for the thousands of chance chunk matches."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, String

from helpdesk.db.models.base import Base, utcnow


class MediaFingerprint(Base):
    __tablename__ = "media_fingerprints"
    __table_args__ = tuple(
        Index(f"ix_media_fingerprints_k{n}", f"k{n}", "media_id") for n in range(4)
    )

    id = Column(Integer, primary_key=True)
    # Erasing a media row erases its fingerprints with it (the database cascades).
    media_id = Column(
        Integer, ForeignKey("media.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sender_id = Column(String(128), nullable=False)
    view = Column(String(16), nullable=False)
    key = Column(BigInteger, nullable=False)  # signed 64-bit (SQL has no unsigned)
    detail = Column(String(64), nullable=False)  # 256-bit hash, hex
    k0 = Column(Integer, nullable=False)
    k1 = Column(Integer, nullable=False)
    k2 = Column(Integer, nullable=False)
    k3 = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
