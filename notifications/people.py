"""Use cases for people and administrators: one's own preferences; the dead and the unreachable.

Each runs in one unit of work. Preferences belong to a person, so only a caller signed in as a
user (or with a token bound to one) has them; the notification log is for administrators.
"""

from datetime import datetime

from engine.errors import Forbidden, Invalid, NotFound
from engine.identity import Principal, Role
from engine.views import iso
from notifications import messages
from notifications.kinds import URGENT, Kind
from notifications.repositories import Notifications, Preference, Preferences
from notifications.tables import DeliveryMode, NotificationStatus


def get_preferences(uow, principal: Principal) -> dict:
    """Show how the caller hears of work: at once or in a digest, at which hour, what is muted."""
    user_id = _person(principal)
    with uow:
        return preference_view(Preferences(uow.conn).of([user_id]).get(user_id, Preference()))


def set_preferences(uow, now: datetime, principal: Principal, changes: dict) -> dict:
    """Change the caller's preferences; overdue and escalation cannot be muted."""
    user_id = _person(principal)
    if changes.get("mode", DeliveryMode.IMMEDIATE) not in set(DeliveryMode):
        raise Invalid("Cách nhận thư phải là gửi ngay hoặc tổng hợp hằng ngày",
                      {"mode": "immediate | digest"})
    if "digest_hour" in changes and _hour(changes["digest_hour"]) is None:
        raise Invalid("Giờ nhận thư tổng hợp phải từ 0 đến 23", {"digest_hour": "0–23"})
    muted = set(changes.get("muted", []))
    if unknown := muted - set(Kind):
        raise Invalid("Loại thông báo không tồn tại", {"muted": ", ".join(sorted(unknown))})
    if forced := muted & URGENT:
        raise Invalid("Không thể tắt thông báo quá hạn và báo cáo quá hạn",
                      {"muted": ", ".join(sorted(forced))})
    with uow:
        current = Preferences(uow.conn).of([user_id]).get(user_id, Preference())
        pref = Preference(DeliveryMode(changes.get("mode", current.mode)),
                          _hour(changes.get("digest_hour", current.digest_hour)),
                          frozenset(changes["muted"]) if "muted" in changes else current.muted)
        Preferences(uow.conn).put(user_id, pref, now)
        uow.commit()
    return preference_view(pref)


def list_notifications(uow, principal: Principal, status: str | None, page: int, per_page: int) -> dict:
    """Show one page of the notification log, newest first; ``status=dead`` lists dead letters."""
    _require_admin(principal)
    with uow:
        rows, total = Notifications(uow.conn).page(status, per_page, (page - 1) * per_page)
    return {"items": [notification_view(r) for r in rows], "page": page, "per_page": per_page,
            "total": total}


def resend(uow, now: datetime, principal: Principal, notification_id: str) -> dict:
    """Send a dead or unreachable notification again, with a fresh round of retries."""
    _require_admin(principal)
    with uow:
        notifications = Notifications(uow.conn)
        row = notifications.get(notification_id)
        if row is None:
            raise NotFound("Không tìm thấy thông báo")
        if row["status"] not in (NotificationStatus.DEAD, NotificationStatus.UNREACHABLE):
            raise Invalid("Chỉ gửi lại được thông báo đã hỏng hoặc chưa có địa chỉ nhận")
        notifications.mark([notification_id], NotificationStatus.PENDING)
        key = f"mail:{notification_id}"
        if not uow.jobs.requeue(key, now):
            uow.jobs.schedule("mail", key, now, {"notification_id": notification_id}, now)
        uow.commit()
    return {"id": notification_id, "status": NotificationStatus.PENDING}


def users_without_address(uow, principal: Principal) -> list[dict]:
    """List active people with no email address and how many notifications they missed."""
    _require_admin(principal)
    with uow:
        rows = Notifications(uow.conn).users_without_address()
    return [{"user_id": r["id"], "username": r["username"], "full_name": r["full_name"],
             "agency": r["agency_code"], "roles": r["roles"], "missed": r["missed"]} for r in rows]


def preference_view(pref: Preference) -> dict:
    return {"mode": pref.mode, "digest_hour": pref.digest_hour, "muted": sorted(pref.muted),
            "unmutable": sorted(URGENT)}


def notification_view(row) -> dict:
    """Describe one notification for administrators: to whom, what, and how sending went."""
    return {
        "id": row["id"], "kind": row["kind"], "status": row["status"], "user_id": row["user_id"],
        "username": row["username"], "full_name": row["full_name"], "email": row["email"],
        "subject": messages.subject(row["facts"]), "task_id": row["facts"]["task_id"],
        "instance_id": row["facts"]["instance_id"], "attempts": row["attempts"],
        "last_error": row["last_error"], "created_at": iso(row["created_at"]),
        "sent_at": iso(row["sent_at"]),
    }


def _hour(value) -> int | None:
    """Read an hour of the day from the API (a number) or a web form (text); None if it is not one."""
    text = str(value)
    return int(text) if text.isdigit() and int(text) <= 23 else None


def _person(principal: Principal) -> str:
    if principal.user_id is None:
        raise Forbidden("Chỉ người dùng (đăng nhập, hoặc mã truy cập gắn với tài khoản) "
                        "mới có tùy chọn nhận thư")
    return principal.user_id


def _require_admin(principal: Principal) -> None:
    if not principal.has(Role.ADMIN):
        raise Forbidden("Chỉ quản trị viên được xem nhật ký thông báo")
