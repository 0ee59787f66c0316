"""Describe the assigned-task list and backlog for validation and the OpenAPI document."""

from apiflask import Schema
from apiflask.fields import Boolean, Date, Dict, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range

from service.dossier_schemas import ControlStepOut
from service.schemas import PageIn, PageOut

STATES = ("in_progress", "awaiting_confirmation", "returned", "completed", "cancelled")
LOCAL_DATE = {"description": "Ngày theo giờ Việt Nam, dạng YYYY-MM-DD"}


class AssignmentQueryIn(PageIn):
    lead_agency = String(validate=Length(1, 32))
    source_kind = String(validate=OneOf(("conclusion", "document")))
    source_number = String(validate=Length(1, 100))
    state = String(validate=OneOf(STATES))
    overdue = Boolean()
    due_from = Date(metadata=LOCAL_DATE)
    due_to = Date(metadata={"description": "Ngày cuối (tính cả ngày đó), giờ Việt Nam"})


class SourceOut(Schema):
    kind = String()
    number = String()
    date = String()
    assigned_by = String()
    assigned_by_name = String()


class AssignmentOut(Schema):
    id = String()
    lead_task_id = String()
    source = Nested(SourceOut)
    content = String()
    lead_agency = String()
    lead_agency_name = String()
    head_name = String(allow_none=True)
    cooperating_agencies = List(String())
    report_period = String()
    state = String()
    registered_at = String()
    due_at = String(allow_none=True)
    overdue = Boolean()
    extended_working_days = Integer()
    last_report = Dict(allow_none=True)
    last_report_at = String(allow_none=True)
    reported_done_at = String(allow_none=True)
    ended_at = String(allow_none=True)


class ReportOut(Schema):
    at = String()
    due_at = String(allow_none=True)
    late = Boolean()
    percent = Integer()
    work_done = String()
    obstacles = String(allow_none=True)
    request_extension = Boolean(allow_none=True)
    extension_days = Integer(allow_none=True)


class InputOut(Schema):
    agency = String()
    at = String()
    content = String()
    document = String(allow_none=True)


class AssignmentDetailOut(AssignmentOut):
    reports = List(Nested(ReportOut))
    inputs = List(Nested(InputOut))
    steps = List(Nested(ControlStepOut))


class AssignmentPageOut(PageOut):
    items = List(Nested(AssignmentOut))


class BacklogQueryIn(Schema):
    agency = String(validate=Length(1, 32))
    months = Integer(load_default=6, validate=Range(1, 24))


class BacklogMonthOut(Schema):
    month = String()
    end = String()
    open = Integer()
    overdue = Integer()


class BacklogAgencyOut(Schema):
    agency = String()
    agency_name = String()
    head_name = String(allow_none=True)
    open = Integer()
    overdue = Integer()
    months = List(Nested(BacklogMonthOut))


class BacklogOut(Schema):
    as_of = String()
    agencies = List(Nested(BacklogAgencyOut))
