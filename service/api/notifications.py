"""People choose how they hear of their work; administrators see dead letters and missing addresses."""

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import OneOf, Range

from notifications import people
from notifications.kinds import Kind
from notifications.tables import DeliveryMode, NotificationStatus
from service.auth import auth, principal
from service.runtime import runtime

TAG = {"name": "Thông báo", "description": (
    "Thư điện tử báo việc: giao việc, nhắc hạn, quá hạn, báo cáo quá hạn, ý kiến trả lời. Mỗi "
    "người chọn nhận ngay hoặc tổng hợp hằng ngày vào một giờ (chỉ ngày làm việc) và có thể tắt "
    "bớt loại thông báo, trừ quá hạn và báo cáo quá hạn.")}

bp = APIBlueprint("notifications", __name__, url_prefix="/api/v1", tag=TAG)
KINDS = [k.value for k in Kind]


class PreferencesIn(Schema):
    mode = String(validate=OneOf([m.value for m in DeliveryMode]))
    digest_hour = Integer(validate=Range(0, 23))
    muted = List(String(validate=OneOf(KINDS)))


class PreferencesOut(Schema):
    mode = String()
    digest_hour = Integer()
    muted = List(String())
    unmutable = List(String())


class NotificationQueryIn(Schema):
    status = String(validate=OneOf([s.value for s in NotificationStatus]))
    page = Integer(load_default=1, validate=Range(1, 100_000))
    per_page = Integer(load_default=50, validate=Range(1, 200))


class NotificationOut(Schema):
    id = String()
    kind = String()
    status = String()
    user_id = String()
    username = String()
    full_name = String()
    email = String(allow_none=True)
    subject = String()
    task_id = String()
    instance_id = String()
    attempts = Integer()
    last_error = String(allow_none=True)
    created_at = String()
    sent_at = String(allow_none=True)


class NotificationPageOut(Schema):
    items = List(Nested(NotificationOut))
    page = Integer()
    per_page = Integer()
    total = Integer()


class ResentOut(Schema):
    id = String()
    status = String()


class UnreachableOut(Schema):
    user_id = String()
    username = String()
    full_name = String()
    agency = String()
    roles = List(String())
    missed = Integer()


@bp.get("/me/notification-preferences")
@bp.auth_required(auth)
@bp.output(PreferencesOut)
@bp.doc(responses={403: "Mã truy cập không gắn với người dùng"})
def get_preferences():
    """Show how you hear of your work."""
    return people.get_preferences(runtime().uow(), principal())


@bp.put("/me/notification-preferences")
@bp.auth_required(auth)
@bp.input(PreferencesIn, arg_name="body")
@bp.output(PreferencesOut)
@bp.doc(responses={403: "Mã truy cập không gắn với người dùng",
                   422: "Không thể tắt thông báo quá hạn và báo cáo quá hạn"})
def set_preferences(body):
    """Choose immediate emails or a daily digest at a local hour, and mute kinds."""
    rt = runtime()
    return people.set_preferences(rt.uow(), rt.clock.now(), principal(), body)


@bp.get("/notifications")
@bp.auth_required(auth)
@bp.input(NotificationQueryIn, location="query", arg_name="q")
@bp.output(NotificationPageOut)
@bp.doc(responses={403: "Chỉ quản trị viên"})
def list_notifications(q):
    """List notifications, newest first; ``?status=dead`` shows those that could not be sent."""
    return people.list_notifications(runtime().uow(), principal(), q.get("status"), q["page"],
                                     q["per_page"])


@bp.post("/notifications/<notification_id>/resend")
@bp.auth_required(auth)
@bp.output(ResentOut, status_code=202)
@bp.doc(responses={403: "Chỉ quản trị viên", 404: "Không có thông báo", 422: "Thông báo chưa hỏng"})
def resend(notification_id: str):
    """Send a dead or unreachable notification again, once its address is fixed."""
    rt = runtime()
    return people.resend(rt.uow(), rt.clock.now(), principal(), notification_id[:64])


@bp.get("/notifications/unreachable-users")
@bp.auth_required(auth)
@bp.output(UnreachableOut(many=True))
@bp.doc(responses={403: "Chỉ quản trị viên"})
def unreachable_users():
    """List active users without an email address, and how many notifications they missed."""
    return people.users_without_address(runtime().uow(), principal())
