"""Notify listening workers on PostgreSQL when jobs are queued, so none waits out a poll.

Revision ID: 0025
Revises: 0020

A trigger sends ``NOTIFY dunghan_jobs`` when rows are inserted into ``jobs`` (once per
statement) and when a job goes back to pending or is moved earlier (a released lease, a retry,
a revived or requeued job). PostgreSQL delivers notifications at commit and folds repeats
within a transaction, so a thousand jobs queued in one commit wake each worker once. SQLite
has no notifications; its workers keep polling.
"""

from alembic import op

revision = "0025"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION dunghan_notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('dunghan_jobs', '');
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER jobs_queued AFTER INSERT ON jobs
        FOR EACH STATEMENT EXECUTE FUNCTION dunghan_notify_jobs()""")
    op.execute("""
        CREATE TRIGGER jobs_requeued AFTER UPDATE OF status, due_at ON jobs FOR EACH ROW
        WHEN (NEW.status = 'pending'
              AND (OLD.status <> 'pending' OR NEW.due_at < OLD.due_at))
        EXECUTE FUNCTION dunghan_notify_jobs()""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER jobs_requeued ON jobs")
    op.execute("DROP TRIGGER jobs_queued ON jobs")
    op.execute("DROP FUNCTION dunghan_notify_jobs()")
