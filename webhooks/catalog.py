"""Name the event types agencies can subscribe to, and match a subscription's filter."""

import re

# The documented types, each with an OpenAPI schema; the outbox may carry others (every
# domain event is relayed), which a filter can name too.
EVENT_TYPES = {
    "task.assigned": "Một nhiệm vụ được giao cho cơ quan",
    "task.completed": "Một nhiệm vụ đã được hoàn thành",
    "task.withdrawn": "Một nhiệm vụ bị rút lại (hồ sơ hủy hoặc bị sự kiện hẹn giờ ngắt)",
    "task.reminded": "Nhắc hạn: còn một ngày làm việc trước hạn",
    "task.overdue": "Nhiệm vụ đã quá hạn",
    "task.escalated": "Nhiệm vụ quá hạn đã được báo lên lãnh đạo cơ quan",
    "task.unclaimed": "Nhiệm vụ mở quá thời gian quy định mà chưa cán bộ nào nhận: báo lãnh đạo cơ quan",
    "reply.deemed_agreed": "Cơ quan không trả lời đúng hạn nên được coi là đồng ý",
    "reply.returned": "Cơ quan chủ trì trả lại ý kiến chưa rõ; cơ quan được lấy ý kiến phải trả lời lại",
    "deadline.paused": "Thời hạn nhiệm vụ tạm dừng",
    "deadline.resumed": "Thời hạn nhiệm vụ tiếp tục",
    "deadline.extended": "Thời hạn nhiệm vụ được gia hạn (đề nghị thêm thời gian đã được duyệt)",
    "deadline.pause_granted": "Thời hạn lùi theo số ngày tạm dừng đã được duyệt",
    "deadline_request.asked": "Cơ quan đề nghị tạm dừng thời hạn hoặc xin thêm thời gian",
    "deadline_request.approved": "Lãnh đạo cơ quan có thẩm quyền duyệt đề nghị về thời hạn",
    "deadline_request.refused": "Lãnh đạo cơ quan có thẩm quyền từ chối đề nghị về thời hạn",
    "deadline.recomputed": "Thời hạn được tính lại theo lịch làm việc mới",
    "consultation.flagged_over_broad": "Văn phòng UBND tỉnh đánh dấu yêu cầu lấy ý kiến hỏi quá rộng",
    "instance.started": "Hồ sơ được khởi tạo",
    "instance.completed": "Hồ sơ đã kết thúc",
    "instance.cancelled": "Hồ sơ bị hủy",
    "instance.step_failed": "Một bước của quy trình không chạy được và đã được hoàn tác",
    "instance.start_failed": "Hồ sơ không khởi tạo được vì bước đầu của quy trình bị lỗi",
    "instance.message_received": "Hồ sơ nhận một thông điệp từ hệ thống của cơ quan",
    # The people notified by email, so a province can forward the same words to a chat app.
    "notification.assigned": "Đã báo người được giao một nhiệm vụ mới",
    "notification.reminder": "Đã nhắc hạn người xử lý nhiệm vụ",
    "notification.overdue": "Đã báo người xử lý và lãnh đạo cơ quan: nhiệm vụ quá hạn",
    "notification.escalation": "Đã báo lãnh đạo cơ quan và Văn phòng UBND tỉnh: nhiệm vụ quá hạn bị báo cáo",
    "notification.reply_received": "Đã báo cơ quan chủ trì: nhận được ý kiến trả lời",
    "notification.deemed_agreed": "Đã báo cơ quan chủ trì: một cơ quan được coi là đồng ý",
    "notification.returned_vague": "Đã báo cơ quan chủ trì: ý kiến chưa rõ bị trả lại",
    "notification.unclaimed": "Đã báo lãnh đạo cơ quan: nhiệm vụ chưa có người nhận",
    "dossier.status_changed": "Hồ sơ TTHC chuyển trạng thái (mã trạng thái quốc gia 1-10)",
    "dossier.apologised": "Cơ quan giải quyết gửi phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "dossier.apology_missed": "Hồ sơ đến hạn trả mà chưa xong và không có phiếu xin lỗi",
    "dossier.apology_reminded": "Nhắc cơ quan: còn một ngày làm việc để gửi phiếu xin lỗi, hẹn lại",
    "feedback.state_changed": "Phản ánh, kiến nghị chuyển trạng thái (tiếp nhận, từ chối, xử lý, công khai…)",
    "feedback.transferred": "Phản ánh, kiến nghị vượt thẩm quyền được chuyển lên cơ quan cấp trên",
    "report.published": "Báo cáo kỷ luật hành chính của một tháng được công bố (bản mới)",
}

_PATTERN = re.compile(r"^[a-z_]+\.(\*|[a-z_]+)$")


def invalid_patterns(patterns: list[str]) -> list[str]:
    """Return the filter entries that are neither a type nor a ``prefix.*`` pattern."""
    return [p for p in patterns if not isinstance(p, str) or not _PATTERN.match(p)]


def matches(patterns: list[str], event_type: str) -> bool:
    """Tell whether a filter takes an event type; an empty filter takes every type."""
    if not patterns:
        return True
    prefix = event_type.split(".", 1)[0]
    return event_type in patterns or f"{prefix}.*" in patterns
