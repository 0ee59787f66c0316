"""Directory: users with roles and argon2 passwords, delegations, multi-role tokens, claims.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("parent_code", sa.String(length=32), nullable=True))
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agencies.code"],
                                name=op.f("fk_users_agency_code_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_agency_code"), "users", ["agency_code"])
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("from_user_id", sa.String(length=36), nullable=False),
        sa.Column("to_user_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", UTC_DATETIME, nullable=False),
        sa.Column("ends_at", UTC_DATETIME, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["agency_code"], ["agencies.code"],
                                name=op.f("fk_delegations_agency_code_agencies")),
        sa.ForeignKeyConstraint(["from_user_id"], ["users.id"],
                                name=op.f("fk_delegations_from_user_id_users")),
        sa.ForeignKeyConstraint(["to_user_id"], ["users.id"],
                                name=op.f("fk_delegations_to_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index(op.f("ix_delegations_to_user_id"), "delegations", ["to_user_id"])
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("agency_code", sa.String(length=32), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", UTC_DATETIME, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_index(op.f("ix_security_events_kind_username_occurred_at"), "security_events",
                    ["kind", "username", "occurred_at"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("roles", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("user_id", sa.String(length=36), nullable=True))
    tokens = sa.table("api_tokens", sa.column("id"), sa.column("role"), sa.column("roles", sa.JSON))
    conn = op.get_bind()
    for token_id, role in conn.execute(sa.select(tokens.c.id, tokens.c.role)).all():
        conn.execute(sa.update(tokens).where(tokens.c.id == token_id).values(roles=[role]))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("roles", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("role")
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTC_DATETIME, nullable=True))
    _resize_actor_columns(160)


# Actors now name a delegation too ("user:phoGD@head:giamdoc"), which needs more room.
ACTOR_COLUMNS = [("audit_events", "actor"), ("tasks", "completed_by"),
                 ("deadline_changes", "actor"), ("deadline_changes", "approved_by"),
                 ("instances", "started_by"), ("process_versions", "deployed_by")]


def _resize_actor_columns(length: int) -> None:
    # SQLite ignores VARCHAR lengths, and rebuilding audit_events there would drop its
    # append-only triggers, so only PostgreSQL is altered.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in ACTOR_COLUMNS:
        op.alter_column(table, column, type_=sa.String(length=length))


def downgrade() -> None:
    _resize_actor_columns(64)
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("role", sa.String(length=32), nullable=False,
                                   server_default="officer"))
        batch.drop_column("user_id")
        batch.drop_column("roles")
    op.drop_index(op.f("ix_security_events_kind_username_occurred_at"), table_name="security_events")
    op.drop_table("security_events")
    op.drop_index(op.f("ix_delegations_to_user_id"), table_name="delegations")
    op.drop_table("delegations")
    op.drop_index(op.f("ix_users_agency_code"), table_name="users")
    op.drop_table("users")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("parent_code")
