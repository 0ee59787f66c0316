"""Authority that never outlives its source: session generations, token issuers, atomic sign-in
counters, and a security log as append-only as the audit log.

Revision ID: 0009
Revises: 0013a

Tokens without a user and without an expiry (issued before this revision, by anyone) get one
year from today: agency system tokens now always expire.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0013a"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("issued_by", sa.String(length=160), nullable=True))
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_attempts")),
    )
    tokens = sa.table("api_tokens", sa.column("user_id"), sa.column("expires_at", UTC_DATETIME))
    in_a_year = datetime.now(UTC) + timedelta(days=365)
    if op.get_bind().dialect.name == "sqlite":
        in_a_year = in_a_year.replace(tzinfo=None)  # how UtcDateTime stores instants there
    op.execute(sa.update(tokens).where(tokens.c.user_id.is_(None), tokens.c.expires_at.is_(None))
               .values(expires_at=in_a_year))
    _append_only("security_events")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER security_events_append_only ON security_events")
        op.execute("DROP FUNCTION security_events_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER security_events_no_{action}")
    op.drop_table("login_attempts")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("issued_by")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
