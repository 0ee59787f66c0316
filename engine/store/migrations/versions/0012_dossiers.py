"""Dossiers of administrative procedures, the versioned procedure catalog, code counters.

Revision ID: 0012
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "procedure_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("loaded_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_procedure_versions"),
        sa.UniqueConstraint("code", "version", name="uq_procedure_versions_code_version"),
        sa.UniqueConstraint("code", "content_hash", name="uq_procedure_versions_code_content_hash"),
    )
    op.create_table(
        "dossiers",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("procedure_version_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=16), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("desk_agency", sa.String(length=32), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTC_DATETIME, nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=True),
        sa.Column("promised_at", UTC_DATETIME, nullable=True),
        sa.Column("original_promised_at", UTC_DATETIME, nullable=True),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("supplement_count", sa.Integer(), nullable=False),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("paused_since", UTC_DATETIME, nullable=True),
        sa.Column("apologised_at", UTC_DATETIME, nullable=True),
        sa.Column("apology_missing", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"],
                                name="fk_dossiers_instance_id_instances"),
        sa.ForeignKeyConstraint(["procedure_version_id"], ["procedure_versions.id"],
                                name="fk_dossiers_procedure_version_id_procedure_versions"),
        sa.PrimaryKeyConstraint("code", name="pk_dossiers"),
        sa.UniqueConstraint("instance_id", name="uq_dossiers_instance_id"),
    )
    op.create_index("ix_dossiers_agency_code_status_received_at", "dossiers",
                    ["agency_code", "status", "received_at"])
    op.create_index("ix_dossiers_procedure_code_received_at", "dossiers",
                    ["procedure_code", "received_at"])
    op.create_table(
        "dossier_counters",
        sa.Column("prefix", sa.String(length=48), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name="pk_dossier_counters"),
    )


def downgrade() -> None:
    op.drop_table("dossier_counters")
    op.drop_index("ix_dossiers_procedure_code_received_at", table_name="dossiers")
    op.drop_index("ix_dossiers_agency_code_status_received_at", table_name="dossiers")
    op.drop_table("dossiers")
    op.drop_table("procedure_versions")
