"""Media records and their analysis.

Revision ID: 0002_media
Revises: 0001_customers
Create Date: 2026-11-24
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002_media"
down_revision = "0001_customers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
