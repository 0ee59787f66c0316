"""Describe the API's request and response bodies for validation and the OpenAPI document."""

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Integer, List, Nested, String
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
    state = String(validate=OneOf(TASK_STATES))
    due_before = DateTime(format="iso")
    overdue = Boolean(load_default=False)
    page = Integer(load_default=1, validate=Range(1, 100_000))
    per_page = Integer(load_default=50, validate=Range(1, 200))


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
    completed_at = String(allow_none=True)
    completed_by = String(allow_none=True)
    data = Dict()
    instance_status = String()


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
