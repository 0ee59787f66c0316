"""Enforcement: escalation level and deemed consent on tasks, and the violations record.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("escalation_level", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("deemed_consent", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "violations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
        sa.UniqueConstraint("task_id", "kind", name=op.f("uq_violations_task_id_kind")),
    )
    op.create_index(op.f("ix_violations_agency_code_occurred_at"), "violations",
                    ["agency_code", "occurred_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_violations_agency_code_occurred_at"), table_name="violations")
    op.drop_table("violations")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("deemed_consent")
        batch.drop_column("escalation_level")
