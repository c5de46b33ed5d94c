"""The inbox indexed by customer and time: what every reply and every claim looks up.

Before each reply the sender asks when the customer last wrote (the 24-hour window), each
claim asks for the customer's oldest unfinished message, and a first contact asks on which
days the customer has rows: all by ``sender_id``, which no index of ``whatsapp_inbox`` led
with, so each of them read the whole table on PostgreSQL (a cost that grew with the inbox).

Revision ID: 0014_scale8_inbox_sender
Revises: 0013_rollup_dashboard
Create Date: 2026-12-02
"""

from alembic import op

revision = "0014_scale8_inbox_sender"
down_revision = "0013_rollup_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_whatsapp_inbox_sender_timestamp", "whatsapp_inbox", ["sender_id", "timestamp"]
    )


def downgrade() -> None:
    op.drop_index("ix_whatsapp_inbox_sender_timestamp", table_name="whatsapp_inbox")
