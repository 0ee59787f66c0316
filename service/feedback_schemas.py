"""Describe the bodies of citizen feedback (phản ánh, kiến nghị) for validation and OpenAPI."""

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Email, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Regexp

from engine.feedback import CHANNELS, FeedbackState
from service.dossier_schemas import ControlStepOut, DossierViolationOut
from service.schemas import PageIn, PageOut, TaskOut

LOCAL = {"description": "Không có múi giờ: giờ Việt Nam"}


class SenderIn(Schema):
    name = String(required=True, validate=Length(2, 200))
    kind = String(load_default="citizen", validate=OneOf(["citizen", "organisation"]))
    email = Email(validate=Length(3, 255))
    phone = String(validate=Regexp(r"^[0-9+ .()-]{6,20}$"))
    address = String(validate=Length(0, 500))


class FeedbackIn(Schema):
    source_system = String(required=True, validate=Regexp(r"^[a-z0-9][a-z0-9_.-]{1,63}$"), metadata={
        "description": "Hệ thống tiếp nhận gửi đến, ví dụ `cong_dvcqg` hoặc `pakn_tinh`"})
    source_id = String(required=True, validate=Length(1, 128), metadata={
        "description": "Mã của phản ánh trong hệ thống tiếp nhận; gửi lại cùng mã không tạo bản mới"})
    agency = String(required=True, validate=Length(2, 32), metadata={
        "description": "Mã cơ quan được gửi đến, chịu trách nhiệm xem xét"})
    title = String(required=True, validate=Length(5, 300))
    content = String(required=True, validate=Length(10, 20000))
    kind = String(required=True, validate=Length(2, 48), metadata={
        "description": "Loại phản ánh trong config/feedback.toml, quyết định thời hạn xử lý"})
    channel = String(required=True, validate=OneOf(list(CHANNELS)))
    sender = Nested(SenderIn, required=True)
    attachments = List(String(validate=Length(1, 500)), load_default=list, validate=Length(0, 50))


class FeedbackQueryIn(PageIn):
    agency = String(validate=Length(1, 32))
    state = String(validate=OneOf([str(s) for s in FeedbackState]))
    overdue = Boolean()
    channel = String(validate=OneOf(list(CHANNELS)))
    received_from = DateTime(format="iso", metadata=LOCAL)
    received_to = DateTime(format="iso", metadata=LOCAL)


class FeedbackSummaryOut(Schema):
    id = String()
    source_system = String(allow_none=True)
    source_id = String(allow_none=True)
    title = String()
    kind = String()
    channel = String()
    sender = Dict()
    agency = String(metadata={"description": "Cơ quan đang chịu trách nhiệm"})
    received_by = String(metadata={"description": "Cơ quan hoặc hệ thống đã tiếp nhận"})
    state = String(metadata={"enum": [str(s) for s in FeedbackState]})
    state_label = String()
    transfer_count = Integer()
    received_at = String()
    closed_at = String(allow_none=True)
    due_at = String(allow_none=True, metadata={"description": "Hạn của bước đang mở"})
    overdue = Boolean()


class TransferOut(Schema):
    at = String()
    actor = String()
    from_agency = String()
    to_agency = String()
    reasons = String()


class FeedbackOut(FeedbackSummaryOut):
    transfers = List(Nested(TransferOut))
    open_tasks = List(Nested(TaskOut))
    steps = List(Nested(ControlStepOut))
    violations = List(Nested(DossierViolationOut))


class FeedbackPageOut(PageOut):
    items = List(Nested(FeedbackSummaryOut))
