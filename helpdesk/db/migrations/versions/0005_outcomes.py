"""Case outcomes: resolution, first-contact resolution, satisfaction.

Revision ID: 0005_outcomes
Revises: 0004_tickets
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_outcomes"
down_revision = "0004_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("use_case", sa.String(length=64), nullable=True),
        sa.Column("kb_entry", sa.String(length=128), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=False),
        sa.Column("first_contact", sa.Boolean(), nullable=False),
        sa.Column("fixes_tried", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_outcomes")),
    )
    op.create_index(op.f("ix_case_outcomes_sender_id"), "case_outcomes", ["sender_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_outcomes_sender_id"), table_name="case_outcomes")
    op.drop_table("case_outcomes")
