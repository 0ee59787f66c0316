"""Declare the database tables with SQLAlchemy Core; the domain model never sees them."""

from datetime import UTC

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)



class UtcDateTime(sa.TypeDecorator):
    """Store instants as UTC and always read them back timezone-aware.

    SQLite keeps no offset, so a plain DateTime would come back naive there and aware on
    PostgreSQL; one type makes both databases answer alike.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


agencies = sa.Table(
    "agencies", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("head_name", sa.String(255)),
    sa.Column("parent_code", sa.String(32)),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("full_name", sa.String(255), nullable=False),
    # Where notifications are mailed; None until an administrator records one.
    sa.Column("email", sa.String(255)),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False, index=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # Bumped by sign-out and by changes to password, roles, agency or active flag: a session
    # carries the generation it began in and ends when they differ.
    sa.Column("session_generation", sa.Integer, nullable=False, default=0, server_default="0"),
)

delegations = sa.Table(
    "delegations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("from_user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("to_user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("starts_at", UtcDateTime(), nullable=False),
    sa.Column("ends_at", UtcDateTime(), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime()),
)

security_events = sa.Table(
    "security_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("username", sa.String(64)),
    sa.Column("user_id", sa.String(36)),
    sa.Column("agency_code", sa.String(32)),
    sa.Column("remote_addr", sa.String(64)),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Index(None, "kind", "username", "occurred_at"),
)

# Sign-in attempts per (username, address) and per address, counted in one atomic upsert.
login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("user_id", sa.String(36)),
    sa.Column("issued_by", sa.String(160)),
    sa.Column("label", sa.String(255), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime()),
    sa.Column("revoked_at", UtcDateTime()),
)

process_versions = sa.Table(
    "process_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("process_id", sa.String(128), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("bpmn_xml", sa.Text, nullable=False),
    sa.Column("spec_json", sa.Text, nullable=False),
    # The JSON Schema of every form the version uses, by name: instances keep their forms.
    sa.Column("forms", sa.JSON, nullable=False, server_default="{}"),
    sa.Column("deployed_at", UtcDateTime(), nullable=False),
    sa.Column("deployed_by", sa.String(160), nullable=False),
    sa.UniqueConstraint("process_id", "version"),
    sa.UniqueConstraint("process_id", "content_hash"),
)

instances = sa.Table(
    "instances", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("process_version_id", sa.ForeignKey("process_versions.id"), nullable=False),
    sa.Column("process_id", sa.String(128), nullable=False),
    sa.Column("process_version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("state_json", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("lead_agency", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("started_by", sa.String(160), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("ended_at", UtcDateTime()),
    sa.Column("last_error", sa.Text),
    sa.Index(None, "status", "process_id"),
)

tasks = sa.Table(
    "tasks", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("instance_id", sa.ForeignKey("instances.id"), nullable=False, index=True),
    sa.Column("bpmn_id", sa.String(128), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("lane", sa.String(255)),
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("form", sa.String(64)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("due_at", UtcDateTime()),
    # The rule evaluated at creation (amount, unit, start, cut-off); the due date is its replay.
    sa.Column("deadline", sa.JSON),
    sa.Column("paused_at", UtcDateTime()),
    sa.Column("escalation_level", sa.Integer, nullable=False, default=0),
    sa.Column("deemed_consent", sa.Boolean, nullable=False, default=False),
    # Who approves a pause of this task's clock: lead, own_head or none (migration 0020).
    sa.Column("pause_approver", sa.String(16)),
    sa.Column("claimed_by", sa.String(36)),
    sa.Column("claimed_at", UtcDateTime()),
    sa.Column("completed_at", UtcDateTime()),
    sa.Column("completed_by", sa.String(160)),
    sa.Column("data", sa.JSON, nullable=False),
    # The inbox: an agency's open tasks by due date; the deadline sweep: open tasks by due date.
    sa.Index(None, "agency_code", "state", "due_at"),
    sa.Index(None, "state", "due_at"),
    # Monthly reports read the tasks opened, closed or still open in a period (migration 0013a).
    sa.Index(None, "created_at"),
    sa.Index(None, "completed_at"),
)

# Files uploaded on a task page; the bytes are kept on disk under the attachment store's folder.
attachments = sa.Table(
    "attachments", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("instance_id", sa.ForeignKey("instances.id"), nullable=False, index=True),
    sa.Column("task_id", sa.String(36), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("uploaded_by", sa.String(160), nullable=False),
    sa.Column("uploaded_at", UtcDateTime(), nullable=False),
)

audit_events = sa.Table(
    "audit_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("instance_id", sa.String(36), nullable=False, index=True),
    sa.Column("task_id", sa.String(36)),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(160), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("published_at", UtcDateTime()),
    sa.Index(None, "published_at", "id"),
)

deadline_changes = sa.Table(
    "deadline_changes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(160), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False, default=0),
    sa.Column("approved_by", sa.String(160)),
    sa.Column("old_due", UtcDateTime()),
    sa.Column("new_due", UtcDateTime()),
)

# A party bound by a deadline asks; another decides (migration 0020). ``kind`` is ``pause``
# (the clock stops for the approved working days) or ``more_time`` (asked once per task).
deadline_requests = sa.Table(
    "deadline_requests", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("instance_id", sa.String(36), nullable=False),
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("asked_by", sa.String(160), nullable=False),
    sa.Column("asked_at", UtcDateTime(), nullable=False),
    sa.Column("approver_agency", sa.String(32), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("decided_by", sa.String(160)),
    sa.Column("decided_at", UtcDateTime()),
    sa.Column("decision_reason", sa.Text),
    sa.Index(None, "approver_agency", "state"),
    sa.Index(None, "agency_code", "asked_at"),
)

# The Provincial Office's finding that a consultation asked agencies not concerned (item 1d).
consultation_flags = sa.Table(
    "consultation_flags", metadata,
    sa.Column("instance_id", sa.ForeignKey("instances.id"), primary_key=True),
    sa.Column("lead_agency", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("flagged_by", sa.String(160), nullable=False),
    sa.Column("flagged_at", UtcDateTime(), nullable=False),
)

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

violations = sa.Table(
    "violations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("instance_id", sa.String(36), nullable=False),
    sa.Column("task_id", sa.String(36), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    # The person behind the breach (claimer, else completer, else the head) and the head then
    # (migration 0017); None on rows recorded before anyone was named.
    sa.Column("responsible", sa.String(255)),
    sa.Column("head_name", sa.String(255)),
    sa.UniqueConstraint("task_id", "kind"),
    sa.Index(None, "agency_code", "occurred_at"),
    sa.Index(None, "occurred_at"),  # a month's violations of every agency (migration 0013a)
)

procedure_versions = sa.Table(
    "procedure_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("definition", sa.JSON, nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("code", "version"),
    sa.UniqueConstraint("code", "content_hash"),
)

dossiers = sa.Table(
    "dossiers", metadata,
    sa.Column("code", sa.String(48), primary_key=True),
    sa.Column("instance_id", sa.ForeignKey("instances.id"), nullable=False, unique=True),
    sa.Column("procedure_version_id", sa.ForeignKey("procedure_versions.id"), nullable=False),
    sa.Column("procedure_code", sa.String(16), nullable=False),
    # The handling agency (accountable for the time limit) and the desk that received it.
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("desk_agency", sa.String(32), nullable=False),
    sa.Column("applicant", sa.JSON, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("submitted_at", UtcDateTime(), nullable=False),
    sa.Column("received_at", UtcDateTime()),
    sa.Column("promised_at", UtcDateTime()),
    sa.Column("original_promised_at", UtcDateTime()),
    sa.Column("finished_at", UtcDateTime()),
    sa.Column("supplement_count", sa.Integer, nullable=False, default=0),
    sa.Column("paused_seconds", sa.Integer, nullable=False, default=0),
    sa.Column("paused_since", UtcDateTime()),
    sa.Column("apologised_at", UtcDateTime()),
    sa.Column("apology_missing", sa.Boolean, nullable=False, default=False),
    sa.Column("late", sa.Boolean, nullable=False, default=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # An agency's list by status and receipt date; the 766 figures by procedure and period.
    sa.Index(None, "agency_code", "status", "received_at"),
    sa.Index(None, "procedure_code", "received_at"),
)

# One row per (province, agency, local day): the last number handed out, bumped in one upsert.
dossier_counters = sa.Table(
    "dossier_counters", metadata,
    sa.Column("prefix", sa.String(48), primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

# One row per (agency, year): the last number of the agency's outgoing documents that year.
document_counters = sa.Table(
    "document_counters", metadata,
    sa.Column("agency_code", sa.String(32), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

# Each numbered document once: a reprint shows the number the first print took.
issued_documents = sa.Table(
    "issued_documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject", sa.String(64), nullable=False),
    sa.Column("form", sa.String(16), nullable=False),
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("symbol", sa.String(96), nullable=False),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("subject", "form"),
    sa.UniqueConstraint("agency_code", "year", "number"),
)

# One row per assigned task (process theo_doi_nhiem_vu), kept in step with its instance after
# every step: what the Provincial Office registered, and where the task stands. The due date
# is not copied here: it is the lead's task's, which an approved extension moves.
assignments = sa.Table(
    "assignments", metadata,
    sa.Column("instance_id", sa.ForeignKey("instances.id"), primary_key=True),
    sa.Column("source_kind", sa.String(16), nullable=False),
    sa.Column("source_number", sa.String(100), nullable=False),
    sa.Column("source_date", sa.String(10), nullable=False),
    sa.Column("assigned_by", sa.String(16), nullable=False),
    sa.Column("assigned_by_name", sa.String(255), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("lead_agency", sa.String(32), nullable=False),
    sa.Column("cooperating_agencies", sa.JSON, nullable=False),
    sa.Column("report_period", sa.String(16), nullable=False),
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("registered_at", UtcDateTime(), nullable=False),
    sa.Column("registered_by", sa.String(160), nullable=False),
    sa.Column("last_report", sa.JSON),
    sa.Column("last_report_at", UtcDateTime()),
    sa.Column("reported_done_at", UtcDateTime()),
    sa.Column("ended_at", UtcDateTime()),
    # An agency's list by state; the backlog by agency and registration date.
    sa.Index(None, "lead_agency", "state"),
    sa.Index(None, "registered_at"),
)

# Citizen feedback (phản ánh, kiến nghị) as its process leaves it, for lists and filters.
feedback = sa.Table(
    "feedback", metadata,
    sa.Column("instance_id", sa.ForeignKey("instances.id"), primary_key=True),
    # An intake system's own id, so a retried POST finds the item instead of adding one.
    sa.Column("source_system", sa.String(64)),
    sa.Column("source_id", sa.String(128)),
    sa.Column("fingerprint", sa.String(64)),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(48), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("sender", sa.JSON, nullable=False),
    # The agency accountable now (it moves up on a transfer) and the one that received it.
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("received_by", sa.String(32), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("transfer_count", sa.Integer, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("closed_at", UtcDateTime()),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("source_system", "source_id"),
    sa.Index(None, "agency_code", "state", "received_at"),
    sa.Index(None, "received_by", "received_at"),
    sa.Index(None, "received_at"),
)
