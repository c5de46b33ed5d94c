"""Media records and their analysis.

Revision ID: 0002_media
Revises: 0001_customers
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_media"
down_revision = "0001_customers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mime", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("wa_media_id", sa.String(length=128), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("analysed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
    )
    op.create_index(op.f("ix_media_sender_id"), "media", ["sender_id"])
    op.create_index(op.f("ix_media_sha256"), "media", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_media_sha256"), table_name="media")
    op.drop_index(op.f("ix_media_sender_id"), table_name="media")
    op.drop_table("media")
