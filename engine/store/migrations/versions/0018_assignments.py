"""Assigned tasks the Provincial Office follows up: one row per theo_doi_nhiem_vu instance.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

from engine.store.tables import UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_number", sa.String(length=100), nullable=False),
        sa.Column("source_date", sa.String(length=10), nullable=False),
        sa.Column("assigned_by", sa.String(length=16), nullable=False),
        sa.Column("assigned_by_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("lead_agency", sa.String(length=32), nullable=False),
        sa.Column("cooperating_agencies", sa.JSON(), nullable=False),
        sa.Column("report_period", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.Column("registered_by", sa.String(length=160), nullable=False),
        sa.Column("last_report", sa.JSON(), nullable=True),
        sa.Column("last_report_at", UtcDateTime(), nullable=True),
        sa.Column("reported_done_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"],
                                name="fk_assignments_instance_id_instances"),
        sa.PrimaryKeyConstraint("instance_id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_lead_agency_state", "assignments", ["lead_agency", "state"])
    op.create_index("ix_assignments_registered_at", "assignments", ["registered_at"])


def downgrade() -> None:
    op.drop_index("ix_assignments_registered_at", table_name="assignments")
    op.drop_index("ix_assignments_lead_agency_state", table_name="assignments")
    op.drop_table("assignments")
