"""Name the kinds of notification and the domain events that give rise to each."""

import enum


class Kind(enum.StrEnum):
    """What a notification tells; the values are stored and named in ``notification.*`` events."""

    ASSIGNED = "assigned"
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    REPLY_RECEIVED = "reply_received"
    DEEMED_AGREED = "deemed_agreed"
    RETURNED_VAGUE = "returned_vague"
    UNCLAIMED = "unclaimed"


# The ladder exists so that a person learns of lateness in time: these cannot be muted, and
# they are mailed at once even to people who chose the daily digest.
URGENT = frozenset({Kind.OVERDUE, Kind.ESCALATION})

LABELS = {
    Kind.ASSIGNED: "Nhiệm vụ mới được giao",
    Kind.REMINDER: "Nhắc hạn",
    Kind.OVERDUE: "Quá hạn",
    Kind.ESCALATION: "Báo cáo Văn phòng UBND tỉnh",
    Kind.REPLY_RECEIVED: "Đã nhận ý kiến trả lời",
    Kind.DEEMED_AGREED: "Coi như đồng ý",
    Kind.RETURNED_VAGUE: "Ý kiến bị trả lại vì chưa rõ",
    Kind.UNCLAIMED: "Việc chưa có người nhận",
}

# Event type -> kind. ``task.completed`` counts only for a consulted agency's reply (it states a
# position); ``task.reassigned`` only reaches the person it names. ``reply.returned`` is the
# lead returning a vague reply (engine.services.returns).
OF_EVENT = {
    "task.assigned": Kind.ASSIGNED,
    "task.reassigned": Kind.ASSIGNED,
    "task.reminded": Kind.REMINDER,
    "task.overdue": Kind.OVERDUE,
    "task.escalated": Kind.ESCALATION,
    "task.completed": Kind.REPLY_RECEIVED,
    "reply.deemed_agreed": Kind.DEEMED_AGREED,
    "reply.returned": Kind.RETURNED_VAGUE,
    "task.unclaimed": Kind.UNCLAIMED,
}

EVENT_PREFIX = "notification."
