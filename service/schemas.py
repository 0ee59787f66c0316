"""Describe the API's request and response bodies for validation and the OpenAPI document."""

from apiflask import Schema
from apiflask.fields import (
    AwareDateTime,
    Boolean,
    DateTime,
    Dict,
    Email,
    Float,
    Integer,
    List,
    Nested,
    String,
)
from apiflask.validators import Length, OneOf, Range, Regexp

TASK_STATES = ("open", "completed", "withdrawn")


class PageIn(Schema):
    """The page a list request asks for; each list adds its own filters."""

    page = Integer(load_default=1, validate=Range(1, 100_000))
    per_page = Integer(load_default=50, validate=Range(1, 200))


class PageOut(Schema):
    """Where a page of a list stands; each list declares its ``items``."""

    page = Integer()
    per_page = Integer()
    total = Integer()


class StartInstanceIn(Schema):
    process_id = String(required=True, validate=Length(1, 128))
    variables = Dict(keys=String(), load_default=dict)


class CancelIn(Schema):
    reason = String(load_default="", validate=Length(0, 2000))


class CompleteTaskIn(Schema):
    data = Dict(keys=String(), required=True)


class TaskQueryIn(PageIn):
    agency = String(validate=Length(1, 32))
    instance_id = String(validate=Length(1, 36))
    state = String(validate=OneOf(TASK_STATES))
    due_before = DateTime(format="iso")
    overdue = Boolean(load_default=False)


class ReasonIn(Schema):
    reason = String(required=True, validate=Length(1, 2000))


class DeadlineRequestIn(Schema):
    kind = String(required=True, validate=OneOf(("pause", "more_time")), metadata={
        "description": "`pause`: tạm dừng thời hạn (người duyệt theo `pause_approver` của nhiệm vụ); "
                       "`more_time`: xin thêm thời gian, một lần, lãnh đạo cơ quan chủ trì duyệt"})
    working_days = Integer(required=True, strict=True, metadata={"description": "Số ngày làm việc, 1–60"})
    reason = String(required=True, validate=Length(1, 2000))


class DecisionIn(Schema):
    approve = Boolean(required=True, truthy={True}, falsy={False})
    reason = String(load_default=None, validate=Length(0, 2000),
                    metadata={"description": "Bắt buộc khi từ chối"})


class DeadlineRequestOut(Schema):
    id = String()
    task_id = String()
    instance_id = String()
    agency = String(metadata={"description": "Cơ quan đề nghị (cơ quan của nhiệm vụ)"})
    kind = String()
    working_days = Integer()
    reason = String()
    asked_by = String()
    asked_at = String()
    approver_agency = String(metadata={"description": "Cơ quan mà lãnh đạo có quyền duyệt"})
    state = String(metadata={"description": "pending (chờ duyệt), approved (đã duyệt), refused (từ chối)"})
    decided_by = String(allow_none=True)
    decided_at = String(allow_none=True)
    decision_reason = String(allow_none=True)
    task_due_at = String(metadata={"description": "Hạn của nhiệm vụ sau quyết định"})


class DeadlineRequestPageOut(Schema):
    items = List(Nested(DeadlineRequestOut))


class DeadlineRequestQueryIn(Schema):
    state = String(load_default=None, validate=OneOf(("pending", "approved", "refused")))


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
    model = String(metadata={"description": "day_count (đếm theo ngày) hoặc one_stop (hẹn trả một cửa)"})
    cutoff_enabled = Boolean()
    cutoff_applied = Boolean()
    clock_start = String(allow_none=True)
    first_counted_day = String(allow_none=True)
    skipped_days = List(Nested(SkippedDayOut))
    base_due = String()
    due = String(allow_none=True)
    paused = Boolean()
    paused_working_hours = Float()
    extended_working_days = Integer()
    ledger = List(Nested(LedgerOut))
    requests = List(Nested(DeadlineRequestOut))
    explanation_vi = String()


ROLES = ("officer", "head", "deputy", "provincial_office", "home_affairs", "designer", "admin")
AGENCY_KINDS = ("so", "ubnd_xa_phuong", "van_phong_ubnd_tinh", "trung_tam_phvu_hcc")


class AgencyIn(Schema):
    name = String(required=True, validate=Length(2, 255))
    kind = String(required=True, validate=OneOf(AGENCY_KINDS))
    head_name = String(load_default=None, validate=Length(0, 255))
    parent_code = String(load_default=None, validate=Length(1, 32))


class AgencyOut(Schema):
    code = String()
    name = String()
    kind = String()
    head_name = String(allow_none=True)
    parent_code = String(allow_none=True)


class UserIn(Schema):
    username = String(required=True, validate=Regexp(r"^[a-z0-9_.-]{3,64}$"))
    full_name = String(required=True, validate=Length(2, 255))
    agency_code = String(required=True, validate=Length(1, 32))
    roles = List(String(validate=OneOf(ROLES)), required=True, validate=Length(1, len(ROLES)))
    password = String(validate=Length(1, 200), load_only=True)
    active = Boolean(load_default=True)
    email = Email(load_default=None, allow_none=True, validate=Length(3, 255),
                  metadata={"description": "Địa chỉ nhận thư báo việc"})


class UserPatchIn(Schema):
    full_name = String(validate=Length(2, 255))
    agency_code = String(validate=Length(1, 32))
    roles = List(String(validate=OneOf(ROLES)), validate=Length(1, len(ROLES)))
    password = String(validate=Length(1, 200), load_only=True)
    active = Boolean()
    email = Email(allow_none=True, validate=Length(3, 255))


class UserOut(Schema):
    id = String()
    username = String()
    full_name = String()
    agency_code = String()
    roles = List(String())
    active = Boolean()
    has_password = Boolean()
    email = String(allow_none=True)


class TokenIn(Schema):
    agency_code = String(required=True, validate=Length(1, 32))
    roles = List(String(validate=OneOf(ROLES)), load_default=None, validate=Length(1, len(ROLES)),
                 metadata={"description": "Mặc định: mọi vai trò người cấp đang giữ"})
    label = String(required=True, validate=Length(1, 255))
    valid_days = Integer(load_default=None, validate=Range(1, 3650),
                         metadata={"description": "Mặc định và tối đa: 365 ngày (cấu hình được)"})
    system = Boolean(load_default=False, metadata={
        "description": "Mã hệ thống của cơ quan, không gắn với người nào (chỉ quản trị cấp). "
                       "Mặc định: mã gắn với người cấp, không bao giờ quá quyền của người đó"})


class TokenOut(Schema):
    id = Integer()
    agency_code = String()
    roles = List(String())
    label = String()
    user_id = String(allow_none=True)
    kind = String(metadata={"description": "personal (gắn với người) hoặc system"})
    issued_by = String(allow_none=True)
    created_at = String()
    expires_at = String(allow_none=True)
    revoked_at = String(allow_none=True)
    token = String(metadata={"description": "Chỉ hiển thị một lần, khi cấp"})


class TokenQueryIn(Schema):
    agency = String(load_default=None, validate=Length(1, 32),
                    metadata={"description": "Bỏ trống: mọi cơ quan (chỉ quản trị)"})
    kind = String(load_default=None, validate=OneOf(["system", "personal"]))


class DelegationIn(Schema):
    to_user_id = String(required=True, validate=Length(1, 36))
    starts_at = AwareDateTime(required=True, format="iso")
    ends_at = AwareDateTime(required=True, format="iso")
    reason = String(required=True, validate=Length(5, 2000))


class DelegationOut(Schema):
    id = Integer()
    agency_code = String()
    from_user_id = String()
    to_user_id = String()
    starts_at = String()
    ends_at = String()
    reason = String()
    revoked_at = String(allow_none=True)


class ReassignIn(Schema):
    user_id = String(required=True, validate=Length(1, 36))


class VersionOut(Schema):
    process_id = String()
    name = String()
    version = Integer()
    content_hash = String()
    deployed_at = String()


class DeployedOut(VersionOut):
    notice = String(allow_none=True, metadata={
        "description": "Thông báo khi tệp thành phiên bản mới của quy trình người khác đã triển khai"})


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
    pause_approver = String(metadata={"description": "Ai duyệt đề nghị tạm dừng thời hạn: `lead` "
                                                     "(lãnh đạo cơ quan chủ trì), `own_head` (lãnh đạo "
                                                     "cơ quan mình), `none` (không được tạm dừng)"})
    completed_at = String(allow_none=True)
    completed_by = String(allow_none=True)
    claimed_by = String(allow_none=True)
    data = Dict(metadata={"description": "Chỉ các biến hồ sơ mà biểu mẫu của nhiệm vụ cho xem (`shows`); "
                                         "sau khi hoàn thành: câu trả lời đã gửi"})
    form_schema = Dict(allow_none=True, metadata={
        "description": "Biểu mẫu của nhiệm vụ (JSON Schema 2020-12 kèm `shows`, `writes`), theo phiên "
                       "bản quy trình của hồ sơ; chỉ có khi xem một nhiệm vụ; null nếu nhiệm vụ không có "
                       "biểu mẫu (khi đó chỉ gửi `{\"data\": {}}` để xác nhận hoàn thành)"})
    instance_status = String()


class FlagIn(Schema):
    note = String(required=True, validate=Length(1, 2000), metadata={
        "description": "Cơ quan nào không liên quan và vì sao (ít nhất 10 ký tự)"})


class FlagOut(Schema):
    instance_id = String()
    lead_agency = String()
    note = String()
    flagged_by = String()
    flagged_at = String()


class ReturnIn(Schema):
    agency = String(required=True, validate=Length(1, 32),
                    metadata={"description": "Mã cơ quan có ý kiến bị trả lại"})
    reason = String(required=True, validate=Length(1, 2000),
                    metadata={"description": "Vì sao ý kiến chưa rõ (ít nhất 10 ký tự)"})
    working_days = Integer(load_default=None, strict=True, metadata={
        "description": "Thời hạn trả lời lại, ngày làm việc (1–5; mặc định 2)"})


class ReturnOut(Schema):
    instance_id = String()
    agency = String()
    returned_task_id = String(metadata={"description": "Nhiệm vụ trả lời bị trả lại"})
    reason = String()
    returned_reply = Dict(metadata={"description": "Ý kiến bị trả lại: agency, position, reasons"})
    reanswer_task = Nested(TaskOut, metadata={"description": "Nhiệm vụ trả lời lại của cơ quan"})


class OverdueOut(TaskOut):
    agency_name = String()
    agency_head = String(allow_none=True)
    overdue_working_hours = Float()
    escalated = Boolean()


class TaskPageOut(PageOut):
    items = List(Nested(TaskOut))


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
    last_error = String(allow_none=True, metadata={
        "description": "Lý do bước gần nhất không chạy được (đã hoàn tác); null nếu không có lỗi"})
    variables = Dict()
    open_tasks = List(Nested(TaskOut))
    history = List(Nested(AuditOut))
