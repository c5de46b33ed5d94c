"""WhatsApp identities (phone number and/or BSUID) and what Meta bills each message as.

Revision ID: 0008_bsuid_identities
Revises: 0007_topology_reply_keys
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_bsuid_identities"
down_revision = "0007_topology_reply_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.String(length=160), nullable=True),
        sa.Column("parent_user_id", sa.String(length=160), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_identities")),
        sa.UniqueConstraint("key", name=op.f("uq_whatsapp_identities_key")),
        sa.UniqueConstraint("phone", name=op.f("uq_whatsapp_identities_phone")),
        sa.UniqueConstraint("user_id", name=op.f("uq_whatsapp_identities_user_id")),
    )
    op.create_index(
        op.f("ix_whatsapp_identities_merged_into"), "whatsapp_identities", ["merged_into"]
    )
    with op.batch_alter_table("whatsapp_outbound") as batch:
        batch.add_column(sa.Column("category", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("billable", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("pricing_type", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_outbound") as batch:
        batch.drop_column("pricing_type")
        batch.drop_column("billable")
        batch.drop_column("category")
    op.drop_index(op.f("ix_whatsapp_identities_merged_into"), table_name="whatsapp_identities")
    op.drop_table("whatsapp_identities")
