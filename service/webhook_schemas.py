"""Describe the webhook API's bodies and, for the OpenAPI document, every event's payload."""

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from marshmallow import INCLUDE

from service.schemas import PageIn, PageOut
from webhooks.catalog import EVENT_TYPES
from webhooks.payloads import PING_TYPE
from webhooks.tables import DeliveryStatus


class SubscriptionIn(Schema):
    url = String(required=True, validate=Length(1, 2048),
                 metadata={"example": "https://vanban.sxd.bacninh.gov.vn/dunghan/webhook"})
    event_types = List(String(validate=Length(1, 64)), load_default=list,
                       validate=Length(0, 50),
                       metadata={"description": "Loại sự kiện hoặc mẫu 'task.*'; rỗng = mọi loại"})
    description = String(load_default="", validate=Length(0, 255))


class SubscriptionPatchIn(Schema):
    url = String(validate=Length(1, 2048))
    event_types = List(String(validate=Length(1, 64)), validate=Length(0, 50))
    description = String(validate=Length(0, 255))
    active = Boolean()


class SubscriptionOut(Schema):
    id = String()
    agency = String()
    url = String()
    event_types = List(String())
    description = String()
    active = Boolean()
    disabled_reason = String(allow_none=True)
    previous_secret_valid_until = String(allow_none=True)
    created_at = String()
    updated_at = String()


class SubscriptionSecretOut(SubscriptionOut):
    secret = String(metadata={"description": "Bí mật ký (whsec_...), chỉ hiển thị một lần"})


class RotateIn(Schema):
    grace_hours = Float(load_default=24, validate=Range(0, 168),
                        metadata={"description": "Bí mật cũ còn hiệu lực thêm bao nhiêu giờ"})


class DeliveryQueryIn(PageIn):
    status = String(validate=OneOf([s.value for s in DeliveryStatus]))


class DeliveryOut(Schema):
    id = String()
    webhook_id = String()
    event_type = String()
    status = String(metadata={"enum": [s.value for s in DeliveryStatus]})
    attempts = Integer()
    last_status_code = Integer(allow_none=True)
    last_error = String(allow_none=True)
    last_latency_ms = Float(allow_none=True)
    payload = Dict()
    created_at = String()
    last_attempt_at = String(allow_none=True)
    delivered_at = String(allow_none=True)


class DeliveryPageOut(PageOut):
    items = List(Nested(DeliveryOut))


class RedeliveredOut(Schema):
    redelivered = Integer()
    delivery_ids = List(String())


class MessageIn(Schema):
    correlation_key = String(required=True, metadata={"description": "Mã hồ sơ đang chờ"})
    payload = Dict(keys=String(), load_default=dict)


class MessageOut(Schema):
    status = String(metadata={"enum": ["delivered", "duplicate"]})
    webhook_id = String()
    instance_id = String()
    message = String()
    instance_status = String()
    waiting_messages = List(String())


# --- Event payloads, for the OpenAPI document's ``webhooks`` section -----------------------

class EventPart(Schema):
    """Part of an event body; receivers must accept fields added in later versions."""

    class Meta:
        unknown = INCLUDE


class TaskSnapshot(EventPart):
    id = String()
    instance_id = String()
    bpmn_id = String()
    name = String()
    lane = String(allow_none=True)
    agency = String()
    form = String(allow_none=True)
    state = String()
    created_at = DateTime()
    due_at = DateTime(allow_none=True)
    paused = Boolean()
    escalation_level = Integer()
    deemed_consent = Boolean()
    completed_at = DateTime(allow_none=True)
    completed_by = String(allow_none=True)
    claimed_by = String(allow_none=True)


class InstanceSnapshot(EventPart):
    id = String()
    process_id = String()
    process_version = Integer()
    status = String()
    lead_agency = String()
    created_at = DateTime()
    ended_at = DateTime(allow_none=True)


def _fields(*names: str, **extra) -> dict:
    kinds = {"due_at": DateTime(allow_none=True), "version": Integer(),
             "promised_at": DateTime(allow_none=True), "old_promised_at": DateTime(),
             "new_promised_at": DateTime(), "apology_deadline": DateTime(),
             "escalation_level": Integer(), "data": Dict(),
             "agency_head": String(allow_none=True)}
    return {"actor": String(), **{n: kinds.get(n, String()) for n in names}, **extra}


TASK = ("task_id", "agency")
LADDER = _fields(*TASK, "rung", "due_at", "escalation_level", "agency_head")
DETAILS = {
    "task.assigned": _fields(*TASK, "bpmn_id", "name", "due_at"),
    "task.completed": _fields(*TASK, "bpmn_id", "data"),
    "task.withdrawn": _fields(*TASK),
    "task.reminded": LADDER,
    "task.overdue": LADDER,
    "task.escalated": LADDER,
    "task.unclaimed": LADDER,
    "reply.deemed_agreed": _fields(*TASK),
    "reply.returned": _fields(*TASK, "reason"),
    **{f"deadline.{k}": _fields(*TASK, "kind", "reason", "due_at")
       for k in ("paused", "resumed", "extended", "pause_granted", "recomputed")},
    **{f"deadline_request.{k}": _fields(*TASK, "request_id", "kind", "state", "reason",
                                        "approver_agency", working_days=Integer())
       for k in ("asked", "approved", "refused")},
    "consultation.flagged_over_broad": _fields("lead_agency", "note"),
    "instance.started": _fields("process_id", "version"),
    "instance.completed": _fields(),
    "instance.cancelled": _fields("reason"),
    "instance.step_failed": _fields("reason"),
    "instance.start_failed": _fields("process_id", "version", "agency", "reason"),
    "instance.message_received": _fields("name", "sender", "data"),
    **{f"notification.{k}": _fields(*TASK, "kind", "subject", "text", "link",
                                    recipients=List(Dict(), metadata={"description": (
                                        "Người được báo: username, full_name, agency, role")}))
       for k in ("assigned", "reminder", "overdue", "escalation", "reply_received", "deemed_agreed",
                 "returned_vague", "unclaimed")},
    "dossier.status_changed": _fields("code", "agency", "label", "promised_at", "reason",
                                      from_status=Integer(allow_none=True), to_status=Integer()),
    "dossier.apologised": _fields("code", "agency", "old_promised_at", "new_promised_at", "reason"),
    "dossier.apology_missed": _fields("code", "agency", "promised_at"),
    "dossier.apology_reminded": _fields("code", "agency", "promised_at", "apology_deadline"),
    "feedback.state_changed": _fields("agency", "label", "link_path", from_state=String(allow_none=True),
                                      to_state=String()),
    "feedback.transferred": _fields("from_agency", "to_agency", "reasons", "link_path"),
    "report.published": _fields("kind", "period", "content_sha256", "link_path",
                                revision=Integer(), audience=List(String())),
}
assert set(DETAILS) == set(EVENT_TYPES)


def schema_name(event_type: str) -> str:
    """Name an event type's schema, e.g. ``task.assigned`` -> ``TaskAssignedEvent``."""
    words = event_type.replace(".", "_").split("_")
    return "".join(w.capitalize() for w in words) + "Event"


def event_schema(event_type: str) -> type[Schema]:
    """Build the body schema of one event type: ``type``, ``occurred_at`` and ``data``."""
    base = schema_name(event_type).removesuffix("Event")
    data = {
        "agency": String(metadata={"description": "Cơ quan phải xử lý (hoặc chủ trì hồ sơ)"}),
        "due_at": DateTime(allow_none=True),
        "link": String(metadata={"description": "Đường dẫn API tới nhiệm vụ hoặc hồ sơ"}),
        "instance": Nested(InstanceSnapshot),
        "detail": Nested(EventPart.from_dict(DETAILS[event_type], name=f"{base}Detail")),
    }
    if event_type.split(".")[0] in ("task", "reply", "deadline", "deadline_request", "notification"):
        data["task"] = Nested(TaskSnapshot)
    return _envelope(event_type, EventPart.from_dict(data, name=f"{base}Data"))


def ping_schema() -> type[Schema]:
    """Build the body schema of the test ping."""
    data = EventPart.from_dict({"subscription_id": String(), "agency": String(), "message": String()},
                            name="WebhookPingData")
    return _envelope(PING_TYPE, data)


def _envelope(event_type: str, data: type[Schema]) -> type[Schema]:
    fields = {"type": String(required=True, metadata={"enum": [event_type]}),
              "occurred_at": DateTime(required=True), "data": Nested(data, required=True)}
    return EventPart.from_dict(fields, name=schema_name(event_type))
