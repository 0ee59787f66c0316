"""Index job keys for prefix searches, so cancelling a task's rungs never scans the queue.

Revision ID: 0007
Revises: 0006

`Jobs.cancel_prefix` asks `key LIKE 'ladder:{task}:%'`. PostgreSQL uses a btree for LIKE
only under the C collation or with `text_pattern_ops`; without this index, every completed
task scanned all waiting jobs (364 ms among a million).
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_jobs_key_pattern ON jobs (key text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_jobs_key_pattern")
