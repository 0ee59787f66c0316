"""Citizen feedback (phản ánh, kiến nghị): one row per item, following its process.

Revision ID: 0019
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0025"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=True),
        sa.Column("source_id", sa.String(length=128), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.JSON(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("received_by", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("transfer_count", sa.Integer(), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], name="fk_feedback_instance_id_instances"),
        sa.PrimaryKeyConstraint("instance_id", name="pk_feedback"),
        sa.UniqueConstraint("source_system", "source_id", name="uq_feedback_source_system_source_id"),
    )
    op.create_index("ix_feedback_agency_code_state_received_at", "feedback",
                    ["agency_code", "state", "received_at"])
    op.create_index("ix_feedback_received_by_received_at", "feedback", ["received_by", "received_at"])
    op.create_index("ix_feedback_received_at", "feedback", ["received_at"])


def downgrade() -> None:
    op.drop_table("feedback")
