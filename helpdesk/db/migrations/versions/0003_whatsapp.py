"""WhatsApp inbox and outbound messages.

Revision ID: 0003_whatsapp
Revises: 0002_media
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_whatsapp"
down_revision = "0002_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wamid", sa.String(length=256), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("timestamp", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_inbox")),
        sa.UniqueConstraint("wamid", name=op.f("uq_whatsapp_inbox_wamid")),
    )
    op.create_index("ix_whatsapp_inbox_status_sender", "whatsapp_inbox", ["status", "sender_id"])
    op.create_table(
        "whatsapp_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wamid", sa.String(length=256), nullable=True),
        sa.Column("recipient_id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("resends", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_outbound")),
        sa.UniqueConstraint("wamid", name=op.f("uq_whatsapp_outbound_wamid")),
    )
    op.create_index(
        op.f("ix_whatsapp_outbound_recipient_id"), "whatsapp_outbound", ["recipient_id"]
    )
    op.create_table(
        "whatsapp_button_ids",
        sa.Column("short_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("short_id", name=op.f("pk_whatsapp_button_ids")),
    )
    op.create_table(
        "whatsapp_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("message_wamid", sa.String(length=256), nullable=False),
        sa.Column("emoji", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_reactions")),
    )
    op.create_index(op.f("ix_whatsapp_reactions_sender_id"), "whatsapp_reactions", ["sender_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_whatsapp_reactions_sender_id"), table_name="whatsapp_reactions")
    op.drop_table("whatsapp_reactions")
    op.drop_table("whatsapp_button_ids")
    op.drop_index(op.f("ix_whatsapp_outbound_recipient_id"), table_name="whatsapp_outbound")
    op.drop_table("whatsapp_outbound")
    op.drop_index("ix_whatsapp_inbox_status_sender", table_name="whatsapp_inbox")
    op.drop_table("whatsapp_inbox")
