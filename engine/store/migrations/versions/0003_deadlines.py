"""Deadlines: the rule on each task, the pause/extension ledger, instance errors, settings.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("deadline", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("paused_at", UTC_DATETIME, nullable=True))
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
    op.create_table(
        "deadline_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("old_due", UTC_DATETIME, nullable=True),
        sa.Column("new_due", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"],
                                name=op.f("fk_deadline_changes_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_changes")),
    )
    op.create_index(op.f("ix_deadline_changes_task_id"), "deadline_changes", ["task_id"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_index(op.f("ix_deadline_changes_task_id"), table_name="deadline_changes")
    op.drop_table("deadline_changes")
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("last_error")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("paused_at")
        batch.drop_column("deadline")
