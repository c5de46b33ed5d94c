"""WhatsApp inbox and outbound messages.

Revision ID: 0003_whatsapp
Revises: 0002_media
Create Date: 2026-11-24
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_whatsapp"
down_revision = "0002_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
