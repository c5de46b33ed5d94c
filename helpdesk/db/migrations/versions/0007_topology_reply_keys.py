"""Reply keys: which inbound message an outbound reply answers, and its position; and
which worker (host:pid) holds an inbox message.

A turn replayed after a crash finds its replies by key and does not send them twice
(helpdesk.whatsapp.replay); ``claimed_by`` tells an operator (and the fault tests) which
replica is processing a message.

Revision ID: 0007_topology_reply_keys
Revises: 0006_authenticity
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_topology_reply_keys"
down_revision = "0006_authenticity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("whatsapp_inbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
    with op.batch_alter_table("whatsapp_outbound") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(length=256), nullable=True))
        batch.add_column(sa.Column("reply_seq", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_whatsapp_outbound_reply", ["reply_to", "reply_seq"])


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_outbound") as batch:
        batch.drop_constraint("uq_whatsapp_outbound_reply", type_="unique")
        batch.drop_column("reply_seq")
        batch.drop_column("reply_to")
    with op.batch_alter_table("whatsapp_inbox") as batch:
        batch.drop_column("claimed_by")
