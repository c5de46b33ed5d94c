"""The dashboard's daily rollups: counts per day and dimension, per-ticket durations, the
days to recompute and the refresh watermark (aggregates only, no personal data).

Revision ID: 0013_rollup_dashboard
Revises: 0012_harden2_webhook_deliveries
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_rollup_dashboard"
down_revision = "0012_harden2_webhook_deliveries"
branch_labels = None
depends_on = None

# What the refresh looks for since its watermark: rows changed after it.
CHANGE_INDEXES = (
    ("ix_rollup_tickets_updated_at", "tickets", "updated_at"),
    ("ix_rollup_case_outcomes_rated_at", "case_outcomes", "rated_at"),
    ("ix_rollup_media_analysed_at", "media", "analysed_at"),
    ("ix_rollup_whatsapp_outbound_updated_at", "whatsapp_outbound", "updated_at"),
    ("ix_rollup_whatsapp_identities_updated_at", "whatsapp_identities", "updated_at"),
)


def upgrade() -> None:
    op.create_table(
        "report_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("use_case", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("a", sa.String(length=64), nullable=True),
        sa.Column("b", sa.String(length=64), nullable=True),
        sa.Column("c", sa.String(length=64), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_counts")),
    )
    op.create_index(
        "ix_report_counts_part_day",
        "report_counts",
        ["part", "day", "use_case", "language", "queue", "a", "b", "c", "n"],
    )
    op.create_table(
        "report_ticket_times",
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("use_case", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("first_response", sa.Float(), nullable=True),
        sa.Column("resolution", sa.Float(), nullable=True),
        sa.Column("business_first_response", sa.Float(), nullable=True),
        sa.Column("business_resolution", sa.Float(), nullable=True),
        sa.Column("hours", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_report_ticket_times")),
    )
    op.create_index("ix_report_ticket_times_day", "report_ticket_times", ["day"])
    op.create_table(
        "report_dirty_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_dirty_days")),
    )
    state = op.create_table(
        "report_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.Column("value", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_state")),
    )
    # The watermark row exists from the start, so two replicas' first refreshes queue on its
    # row lock instead of both inserting it (one would fail on the primary key).
    op.bulk_insert(state, [{"name": "watermark", "at": None, "value": None}])

    for name, table, column in CHANGE_INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in CHANGE_INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("report_state")
    op.drop_table("report_dirty_days")
    op.drop_index("ix_report_ticket_times_day", table_name="report_ticket_times")
    op.drop_table("report_ticket_times")
    op.drop_index("ix_report_counts_part_day", table_name="report_counts")
    op.drop_table("report_counts")
