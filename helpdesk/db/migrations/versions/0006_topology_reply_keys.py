"""Reply keys: which inbound message an outbound reply answers, and its position.

A turn replayed after a crash finds its replies by key and does not send them twice
(helpdesk.whatsapp.replay).

Revision ID: 0006_topology_reply_keys
Revises: 0005_outcomes
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_topology_reply_keys"
down_revision = "0005_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("whatsapp_outbound") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(length=256), nullable=True))
        batch.add_column(sa.Column("reply_seq", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_whatsapp_outbound_reply", ["reply_to", "reply_seq"])


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_outbound") as batch:
        batch.drop_constraint("uq_whatsapp_outbound_reply", type_="unique")
        batch.drop_column("reply_seq")
        batch.drop_column("reply_to")
