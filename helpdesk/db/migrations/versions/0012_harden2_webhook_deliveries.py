"""Zendesk/Freshdesk webhook deliveries seen, unique per body (shared by every replica).

Revision ID: 0012_harden2_webhook_deliveries
Revises: 0011_authn2_fp_covering
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_harden2_webhook_deliveries"
down_revision = "0011_authn2_fp_covering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("backend", "digest", name=op.f("uq_webhook_deliveries_backend")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_received_at"), "webhook_deliveries", ["received_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_deliveries_received_at"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
