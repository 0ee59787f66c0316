"""Published reports: one immutable row per revision of a period's report.

Revision ID: 0013
Revises: 0010

Triggers refuse UPDATE and DELETE, so a published revision cannot be edited even by a
mistaken script: a correction is always a new revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

MESSAGE = "published reports are immutable: publish a new revision instead"


def upgrade() -> None:
    op.create_table(
        "published_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_by", sa.String(160), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_published_reports"),
        sa.UniqueConstraint("kind", "period", "revision",
                            name="uq_published_reports_kind_period_revision"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION published_reports_immutable() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER published_reports_immutable BEFORE UPDATE OR DELETE
            ON published_reports FOR EACH ROW EXECUTE FUNCTION published_reports_immutable()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER published_reports_no_{action.lower()} BEFORE {action}
                ON published_reports BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    op.drop_table("published_reports")  # drops its triggers with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION published_reports_immutable()")
