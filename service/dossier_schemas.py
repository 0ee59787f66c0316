"""Describe the dossier and catalog bodies for validation and the OpenAPI document."""

from apiflask import Schema
from apiflask.fields import (
    AwareDateTime,
    Boolean,
    DateTime,
    Dict,
    Float,
    Integer,
    List,
    Nested,
    String,
)
from apiflask.validators import Length, OneOf, Range

from engine.catalog import CHANNELS
from engine.dossiers import DossierStatus
from service.schemas import PageIn, PageOut, TaskOut

VERDICTS = ("on_time", "late", "in_time", "overdue")


class ApplicantIn(Schema):
    name = String(required=True, validate=Length(2, 200))
    id_number = String(validate=Length(0, 20))
    phone = String(validate=Length(0, 20))
    address = String(validate=Length(0, 500))
    email = String(validate=Length(0, 200))


class ReceiveDossierIn(Schema):
    procedure_code = String(required=True, validate=Length(1, 16))
    applicant = Nested(ApplicantIn, required=True)
    channel = String(load_default="paper", validate=OneOf(list(CHANNELS)))
    locality = String(validate=Length(1, 32), metadata={
        "description": "Mã UBND cấp xã nơi có đất (thủ tục liên thông có khâu cấp xã)"})
    documents = List(String(validate=Length(1, 500)), load_default=list, validate=Length(0, 50))
    note = String(load_default="", validate=Length(0, 2000))


class DossierQueryIn(PageIn):
    agency = String(validate=Length(1, 32))
    procedure = String(validate=Length(1, 16))
    status = Integer(validate=Range(1, 10))
    late = Boolean()
    received_from = DateTime(format="iso", metadata={"description": "Không có múi giờ: giờ Việt Nam"})
    received_to = DateTime(format="iso", metadata={"description": "Không có múi giờ: giờ Việt Nam"})


class ReasonIn(Schema):
    reason = String(required=True, validate=Length(1, 2000))


class ApologyIn(Schema):
    new_promised_at = AwareDateTime(required=True, format="iso")
    reason = String(required=True, validate=Length(5, 2000))


class DossierSummaryOut(Schema):
    code = String()
    instance_id = String()
    procedure_code = String()
    agency = String()
    desk_agency = String()
    applicant = Dict()
    channel = String()
    status = Integer(metadata={"enum": [int(s) for s in DossierStatus]})
    status_label = String()
    submitted_at = String()
    received_at = String(allow_none=True)
    promised_at = String(allow_none=True)
    original_promised_at = String(allow_none=True)
    finished_at = String(allow_none=True)
    supplement_count = Integer()
    paused = Boolean()
    paused_working_hours = Float()
    apologised_at = String(allow_none=True)
    apology_missing = Boolean()
    verdict = String(allow_none=True, metadata={"enum": list(VERDICTS)})


class DossierHistoryOut(Schema):
    at = String()
    actor = String()
    type = String()
    from_status = Integer(allow_none=True)
    to_status = Integer()
    label = String()
    reason = String()


class DossierViolationOut(Schema):
    agency = String()
    kind = String()
    task_id = String()
    at = String()
    responsible = String(allow_none=True, metadata={"description": "Người chịu trách nhiệm khi vi phạm"})
    head_name = String(allow_none=True, metadata={"description": "Thủ trưởng cơ quan lúc vi phạm"})


class ControlStepOut(Schema):
    task_id = String()
    step = String()
    name = String()
    agency = String()
    state = String()
    received_at = String()
    due_at = String(allow_none=True)
    completed_at = String(allow_none=True)
    completed_by = String(allow_none=True)
    timeliness = String(metadata={"enum": ["on_time", "late", "in_time", "overdue", "no_deadline"]})


class DossierOut(DossierSummaryOut):
    procedure = Dict()
    open_tasks = List(Nested(TaskOut))
    history = List(Nested(DossierHistoryOut))
    steps = List(Nested(ControlStepOut), metadata={
        "description": "Phiếu kiểm soát quá trình (mẫu 05): từng bước, cơ quan, hạn, đúng/trễ hạn"})
    violations = List(Nested(DossierViolationOut))


class DossierPageOut(PageOut):
    items = List(Nested(DossierSummaryOut))


class PublicDossierOut(Schema):
    code = String()
    procedure_code = String()
    procedure_name = String()
    agency_name = String()
    applicant = String(metadata={"description": "Tên người nộp đã che (chỉ chữ cái đầu)"})
    status = Integer()
    status_label = String()
    received_at = String(allow_none=True)
    promised_at = String(allow_none=True)
    finished_at = String(allow_none=True)


class ProcedureOut(Schema):
    code = String()
    name = String()
    field = String()
    level = String()
    agency = String(allow_none=True)
    desk = String(allow_none=True)
    process = String()
    total_working_days = Float()
    fee = Boolean()
    channels = List(String())
    documents = List(String())
    steps = List(Dict())
    legal_basis = String()
    version = Integer()
    content_hash = String()
