"""Keep a record of each file uploaded on a task page; the bytes live under var/attachments/.

Revision ID: 0021
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

from engine.store.tables import UtcDateTime

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("instance_id", sa.String(length=36), sa.ForeignKey("instances.id"), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=160), nullable=False),
        sa.Column("uploaded_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_attachments_instance_id", "attachments", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_attachments_instance_id", table_name="attachments")
    op.drop_table("attachments")
