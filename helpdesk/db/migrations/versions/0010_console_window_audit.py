"""The audit trail: sign-ins, ticket and media views, erasures, purges, agent changes.

Revision ID: 0010_console_window_audit
Revises: 0009_dashboard
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_console_window_audit"
down_revision = "0009_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("sender_id", sa.String(length=160), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_actor"), "audit_events", ["actor"])
    op.create_index(op.f("ix_audit_events_sender_id"), "audit_events", ["sender_id"])
    op.create_index("ix_audit_events_action_at", "audit_events", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_action_at", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_sender_id"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_actor"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_table("audit_events")
