"""Perceptual fingerprints of stored media (reuse across claims).

Revision ID: 0006_authenticity
Revises: 0005_outcomes
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_authenticity"
down_revision = "0005_outcomes"
branch_labels = None
depends_on = None

CHUNKS = ("k0", "k1", "k2", "k3")


def upgrade() -> None:
    op.create_table(
        "media_fingerprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("view", sa.String(length=16), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in CHUNKS],
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_media_fingerprints_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_fingerprints")),
    )
    op.create_index(op.f("ix_media_fingerprints_media_id"), "media_fingerprints", ["media_id"])
    for name in CHUNKS:
        op.create_index(op.f(f"ix_media_fingerprints_{name}"), "media_fingerprints", [name])


def downgrade() -> None:
    for name in CHUNKS:
        op.drop_index(op.f(f"ix_media_fingerprints_{name}"), table_name="media_fingerprints")
    op.drop_index(op.f("ix_media_fingerprints_media_id"), table_name="media_fingerprints")
    op.drop_table("media_fingerprints")
