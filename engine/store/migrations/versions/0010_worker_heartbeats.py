"""worker_heartbeats: one row per live worker, so a dead worker's leases pass on at once

Revision ID: 0010
Revises: 0007

Heartbeats used to live in `settings` under `heartbeat:<worker>` (worker ids cut to 50
characters). A table of their own lets the job claim find silent workers with one indexed
subquery; the old rows only fed the metrics and are dropped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeats")),
    )
    op.execute("DELETE FROM settings WHERE key LIKE 'heartbeat:%'")


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
