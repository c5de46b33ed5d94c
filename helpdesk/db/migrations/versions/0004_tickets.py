"""Tickets, agents and the handoff relay.

Revision ID: 0004_tickets
Revises: 0003_whatsapp
Create Date: 2026-11-24
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_tickets"
down_revision = "0003_whatsapp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
