"""Deadlines move only by another's decision: pause and more-time requests; over-broad flags.

Revision ID: 0020
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

from engine.store.tables import UtcDateTime

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: tasks opened before this revision declared no approver, so they cannot pause.
    op.add_column("tasks", sa.Column("pause_approver", sa.String(length=16), nullable=True))
    op.create_table(
        "deadline_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=160), nullable=False),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("approver_agency", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=160), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_deadline_requests_task_id"), "deadline_requests", ["task_id"])
    op.create_index(op.f("ix_deadline_requests_approver_agency_state"), "deadline_requests",
                    ["approver_agency", "state"])
    op.create_index(op.f("ix_deadline_requests_agency_code_asked_at"), "deadline_requests",
                    ["agency_code", "asked_at"])
    op.create_table(
        "consultation_flags",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("lead_agency", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("flagged_by", sa.String(length=160), nullable=False),
        sa.Column("flagged_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"]),
        sa.PrimaryKeyConstraint("instance_id"),
    )


def downgrade() -> None:
    op.drop_table("consultation_flags")
    op.drop_index(op.f("ix_deadline_requests_agency_code_asked_at"), table_name="deadline_requests")
    op.drop_index(op.f("ix_deadline_requests_approver_agency_state"), table_name="deadline_requests")
    op.drop_index(op.f("ix_deadline_requests_task_id"), table_name="deadline_requests")
    op.drop_table("deadline_requests")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("pause_approver")
