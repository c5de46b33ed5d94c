"""The dashboard: why each case was handed off and how often, and indexes on the dates the
dashboard filters by.

Revision ID: 0009_dashboard
Revises: 0008_bsuid_identities
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_dashboard"
down_revision = "0008_bsuid_identities"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_tickets_opened_at", "tickets", ["opened_at"]),
    ("ix_case_outcomes_resolved_at", "case_outcomes", ["resolved_at"]),
    ("ix_case_outcomes_ticket_resolved", "case_outcomes", ["ticket_id", "resolved_at"]),
    ("ix_media_created_at", "media", ["created_at"]),
    ("ix_tickets_sender_opened", "tickets", ["sender_id", "opened_at"]),
    ("ix_case_outcomes_sender_resolved", "case_outcomes", ["sender_id", "resolved_at"]),
    (
        "ix_whatsapp_outbound_cost",
        "whatsapp_outbound",
        ["created_at", "billable", "recipient_id", "category"],
    ),
    ("ix_whatsapp_inbox_received_sender", "whatsapp_inbox", ["received_at", "sender_id"]),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("handoff_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("handoffs", sa.Integer(), nullable=False, server_default="1"))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("handoffs")
        batch.drop_column("handoff_reason")
