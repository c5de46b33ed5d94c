"""Fingerprint chunk indexes cover the media id (a reuse look-up reads indexes only).

Revision ID: 0011_authn2_fp_covering
Revises: 0010_console_window_audit
Create Date: 2026-12-01
"""

from alembic import op

revision = "0011_authn2_fp_covering"
down_revision = "0010_console_window_audit"
branch_labels = None
depends_on = None

CHUNKS = ("k0", "k1", "k2", "k3")


def upgrade() -> None:
    for name in CHUNKS:
        op.drop_index(op.f(f"ix_media_fingerprints_{name}"), table_name="media_fingerprints")
        op.create_index(
            op.f(f"ix_media_fingerprints_{name}"), "media_fingerprints", [name, "media_id"]
        )


def downgrade() -> None:
    for name in CHUNKS:
        op.drop_index(op.f(f"ix_media_fingerprints_{name}"), table_name="media_fingerprints")
        op.create_index(op.f(f"ix_media_fingerprints_{name}"), "media_fingerprints", [name])
