"""Describe the API's request and response bodies for validation and the OpenAPI document."""

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range

TASK_STATES = ("open", "completed", "withdrawn")


class StartInstanceIn(Schema):
    process_id = String(required=True, validate=Length(1, 128))
    variables = Dict(keys=String(), load_default=dict)


class CancelIn(Schema):
    reason = String(load_default="", validate=Length(0, 2000))


class CompleteTaskIn(Schema):
    data = Dict(keys=String(), required=True)


class TaskQueryIn(Schema):
    agency = String(validate=Length(1, 32))
    instance_id = String(validate=Length(1, 36))
    state = String(validate=OneOf(TASK_STATES))
    due_before = DateTime(format="iso")
    overdue = Boolean(load_default=False)
    page = Integer(load_default=1, validate=Range(1, 100_000))
    per_page = Integer(load_default=50, validate=Range(1, 200))


class ReasonIn(Schema):
    reason = String(required=True, validate=Length(1, 2000))


class ExtendIn(Schema):
    working_days = Integer(required=True, strict=True)
    reason = String(required=True, validate=Length(1, 2000))


class SkippedDayOut(Schema):
    date = String()
    reason = String()


class LedgerOut(Schema):
    kind = String()
    at = String()
    actor = String()
    reason = String()
    working_days = Integer()
    approved_by = String(allow_none=True)
    old_due = String(allow_none=True)
    new_due = String(allow_none=True)


class DeadlineOut(Schema):
    task_id = String()
    start = String()
    rule = String()
    unit = String()
    amount = Float()
    cutoff_enabled = Boolean()
    cutoff_applied = Boolean()
    effective_receipt = String()
    skipped_days = List(Nested(SkippedDayOut))
    base_due = String()
    due = String(allow_none=True)
    paused = Boolean()
    paused_working_hours = Float()
    extended_working_days = Integer()
    ledger = List(Nested(LedgerOut))
    explanation_vi = String()


class VersionOut(Schema):
    process_id = String()
    name = String()
    version = Integer()
    content_hash = String()
    deployed_at = String()


class ProcessOut(Schema):
    process_id = String()
    name = String()
    latest_version = Integer()
    versions = List(Nested(VersionOut))


class TaskOut(Schema):
    id = String()
    instance_id = String()
    bpmn_id = String()
    name = String()
    lane = String(allow_none=True)
    agency = String()
    form = String(allow_none=True)
    state = String()
    created_at = String()
    due_at = String(allow_none=True)
    paused = Boolean()
    escalation_level = Integer()
    deemed_consent = Boolean()
    completed_at = String(allow_none=True)
    completed_by = String(allow_none=True)
    data = Dict()
    instance_status = String()


class OverdueOut(TaskOut):
    agency_name = String()
    agency_head = String(allow_none=True)
    overdue_working_hours = Float()
    escalated = Boolean()


class TaskPageOut(Schema):
    items = List(Nested(TaskOut))
    page = Integer()
    per_page = Integer()
    total = Integer()


class AuditOut(Schema):
    type = String()
    task_id = String(allow_none=True)
    actor = String()
    occurred_at = String()


class InstanceOut(Schema):
    id = String()
    process_id = String()
    process_version = Integer()
    status = String()
    lead_agency = String()
    created_at = String()
    ended_at = String(allow_none=True)
    variables = Dict()
    open_tasks = List(Nested(TaskOut))
    history = List(Nested(AuditOut))
