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
    # On SQLite it is a plain index, kept so both schemas match the table definition.
    op.create_index("ix_jobs_key_pattern", "jobs", ["key"],
                    postgresql_ops={"key": "text_pattern_ops"})


def downgrade() -> None:
    op.drop_index("ix_jobs_key_pattern", table_name="jobs")
