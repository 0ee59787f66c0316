"""Name the person behind each violation: the responsible officer and the agency's head then.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: violations recorded before this revision named no one, and nobody can now say who.
    op.add_column("violations", sa.Column("responsible", sa.String(length=255), nullable=True))
    op.add_column("violations", sa.Column("head_name", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("violations", "head_name")
    op.drop_column("violations", "responsible")
