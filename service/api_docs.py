"""Speak Vietnamese in the API documentation, whatever language the views' docstrings use.

Docstrings stay in English for the code's readers; officers and integrators read the OpenAPI
document, so each operation's summary comes from this table (keyed ``METHOD path``), each tag
appears once with a description, and APIFlask's stock response texts are translated. A route
missing here keeps its docstring, and tests/integration/test_api_language.py names it.
"""

from apiflask import APIFlask

RESPONSES = {
    "SUCCESS_DESCRIPTION": "Thành công",
    "NOT_FOUND_DESCRIPTION": "Không tìm thấy",
    "VALIDATION_ERROR_DESCRIPTION": "Dữ liệu không hợp lệ (RFC 9457, kèm lỗi từng trường)",
    "AUTH_ERROR_DESCRIPTION": "Chưa xác thực: thiếu hoặc sai mã truy cập",
}

TAGS = {
    "Hệ thống": "Tình trạng dịch vụ và số đo cho giám sát vận hành.",
    "Quy trình": "Thư viện quy trình BPMN: triển khai phiên bản mới, xem các phiên bản.",
    "Hồ sơ": "Các phiên bản quy trình đang chạy (lấy ý kiến, thủ tục): khởi tạo, xem, huỷ.",
    "Nhiệm vụ": "Việc của từng cơ quan: xem, nhận, trả lại, giao lại, hoàn thành.",
    "Thời hạn": "Cách tính hạn; đề nghị tạm dừng hoặc xin thêm thời gian và quyết định của lãnh đạo"
                " cơ quan có thẩm quyền.",
    "Lấy ý kiến": "Kỷ luật lấy ý kiến: trả lại ý kiến chưa rõ, đánh dấu yêu cầu hỏi quá rộng.",
    "Giám sát": "Việc quá hạn cho Văn phòng UBND tỉnh theo dõi.",
    "Danh bạ": "Cơ quan, người dùng, uỷ quyền và mã truy cập API.",
    "Thông điệp": "Hệ thống của cơ quan gửi thông điệp có chữ ký để quy trình đi tiếp.",
    "Báo cáo": "Báo cáo kỷ luật hành chính, việc quá hạn và điểm nghẽn.",
    "Hồ sơ TTHC": "Hồ sơ thủ tục hành chính tại bộ phận một cửa và danh mục thủ tục.",
    "Phản ánh, kiến nghị": "Phản ánh, kiến nghị của người dân, doanh nghiệp: tiếp nhận từ các cổng, "
    "danh sách, xem từng phản ánh.",
    "Tra cứu công khai": "Người dân tra cứu hồ sơ bằng mã biên nhận, không cần đăng nhập.",
    "Nhiệm vụ được giao": "Nhiệm vụ Chủ tịch, Phó Chủ tịch UBND tỉnh giao: danh sách, tiến độ,"
                          " quá hạn và nợ đọng theo cơ quan chủ trì.",
}

SUMMARIES = {
    "POST /api/v1/feedback":
        "Tiếp nhận phản ánh, kiến nghị từ hệ thống tiếp nhận; gửi lại cùng mã không tạo bản mới",
    "GET /api/v1/feedback":
        "Liệt kê phản ánh, kiến nghị; lọc theo cơ quan, trạng thái, quá hạn, kênh, thời gian tiếp nhận",
    "GET /api/v1/feedback/{feedback_id}":
        "Xem một phản ánh: trạng thái, các lần chuyển lên, các bước và hạn, vi phạm",
    "GET /healthz": "Kiểm tra dịch vụ có kết nối được cơ sở dữ liệu",
    "GET /metrics": "Số đo hàng việc và worker theo định dạng văn bản của Prometheus",
    "GET /api/v1/processes": "Liệt kê quy trình cùng phiên bản mới nhất",
    "POST /api/v1/processes": "Triển khai tài liệu BPMN (thân application/xml, hoặc trường `file` multipart)",
    "GET /api/v1/processes/{process_id}": "Mô tả một quy trình và mọi phiên bản đã triển khai",
    "POST /api/v1/instances": "Khởi tạo theo phiên bản mới nhất; cơ quan của người gọi chủ trì",
    "GET /api/v1/instances/{instance_id}": "Xem trạng thái, biến, nhiệm vụ đang mở và lịch sử",
    "POST /api/v1/instances/{instance_id}/cancel": "Huỷ khi đang chạy; chỉ cơ quan chủ trì được huỷ",
    "GET /api/v1/tasks": "Liệt kê nhiệm vụ, hạn sớm nhất trước; mỗi cơ quan chỉ thấy việc của mình",
    "GET /api/v1/tasks/{task_id}": "Xem một nhiệm vụ",
    "POST /api/v1/tasks/{task_id}/claim": "Nhận việc của cơ quan để đồng nghiệp biết ai đang xử lý",
    "POST /api/v1/tasks/{task_id}/unclaim": "Trả việc đã nhận về hộp chung của cơ quan",
    "POST /api/v1/tasks/{task_id}/reassign": "Giao việc cho người khác trong cơ quan (lãnh đạo)",
    "POST /api/v1/tasks/{task_id}/complete": "Hoàn thành nhiệm vụ với dữ liệu biểu mẫu",
    "GET /api/v1/tasks/{task_id}/deadline":
        "Giải thích cách tính hạn: mốc, quy tắc, ngày nghỉ, tạm dừng, gia hạn",
    "POST /api/v1/tasks/{task_id}/pause":
        "Đã bỏ: cơ quan không tự tạm dừng thời hạn; trả 409 và chỉ sang đề nghị tạm dừng",
    "POST /api/v1/tasks/{task_id}/resume":
        "Chỉ để kết thúc thời gian tạm dừng cơ quan tự bắt đầu trước khi phải xin duyệt; còn lại trả 409",
    "POST /api/v1/tasks/{task_id}/extend":
        "Đã bỏ: cơ quan không tự gia hạn; trả 409 và chỉ sang đề nghị thêm thời gian",
    "POST /api/v1/tasks/{task_id}/deadline-requests":
        "Đề nghị tạm dừng thời hạn hoặc xin thêm thời gian (một lần), kèm lý do; thời hạn vẫn chạy"
        " trong khi chờ duyệt",
    "POST /api/v1/instances/{instance_id}/returns":
        "Cơ quan chủ trì trả lại ý kiến chưa rõ của một cơ quan, kèm lý do; cơ quan đó trả lời lại"
        " trong thời hạn ngắn và bị ghi nhận vi phạm; mỗi cơ quan chỉ bị trả lại một lần",
    "POST /api/v1/instances/{instance_id}/over-broad":
        "Văn phòng UBND tỉnh đánh dấu yêu cầu lấy ý kiến hỏi cả cơ quan không liên quan, kèm nhận xét"
        " (một lần, ghi nhật ký)",
    "GET /api/v1/deadline-requests":
        "Liệt kê đề nghị tạm dừng, xin thêm thời gian mà cơ quan mình đã gửi hoặc phải duyệt",
    "POST /api/v1/deadline-requests/{request_id}/decision":
        "Lãnh đạo cơ quan có thẩm quyền duyệt hoặc từ chối đề nghị; duyệt thì hạn lùi và ghi sổ",
    "GET /api/v1/overdue": "Liệt kê việc quá hạn, cũ nhất trước, kèm cơ quan và người đứng đầu",
    "GET /api/v1/assignments":
        "Liệt kê nhiệm vụ được giao, hạn sớm nhất trước; cơ quan chỉ thấy nhiệm vụ mình chủ trì",
    "GET /api/v1/assignments/{instance_id}":
        "Xem một nhiệm vụ được giao: các kỳ báo cáo tiến độ, ý kiến phối hợp, từng bước và thời hạn",
    "GET /api/v1/assignments/backlog":
        "Nợ đọng theo cơ quan chủ trì: đang mở, quá hạn, và tại cuối mỗi tháng",
    "GET /api/v1/agencies": "Liệt kê các cơ quan",
    "PUT /api/v1/agencies/{code}": "Tạo hoặc sửa một cơ quan (quản trị)",
    "GET /api/v1/delegations": "Liệt kê uỷ quyền của cơ quan người gọi",
    "POST /api/v1/delegations": "Uỷ quyền lãnh đạo cho một người cùng cơ quan trong một khoảng thời gian",
    "POST /api/v1/delegations/{delegation_id}/revoke":
        "Chấm dứt uỷ quyền ngay (lãnh đạo đã uỷ quyền hoặc quản trị)",
    "GET /api/v1/users": "Liệt kê người dùng: quản trị thấy tất cả, lãnh đạo thấy người của cơ quan mình",
    "POST /api/v1/users": "Tạo người dùng (quản trị); mật khẩu lưu dạng băm argon2",
    "PATCH /api/v1/users/{user_id}": "Đổi cơ quan, vai trò, tên, mật khẩu hoặc trạng thái (quản trị)",
    "GET /api/v1/tokens":
        "Rà soát mã truy cập, không kèm bí mật: của một cơ quan (lãnh đạo) hoặc mọi cơ quan (quản trị)",
    "POST /api/v1/tokens": "Cấp mã truy cập API; mã chỉ hiện một lần trong câu trả lời này",
    "POST /api/v1/tokens/{token_id}/revoke": "Thu hồi mã truy cập; bị từ chối từ yêu cầu tiếp theo",
    "GET /api/v1/webhooks": "Liệt kê đăng ký webhook của cơ quan, không kèm bí mật",
    "POST /api/v1/webhooks": "Đăng ký webhook; bí mật ký chỉ hiện một lần trong câu trả lời",
    "GET /api/v1/webhooks/{subscription_id}": "Xem một đăng ký, không kèm bí mật",
    "PATCH /api/v1/webhooks/{subscription_id}": "Đổi địa chỉ, bộ lọc sự kiện, mô tả, hoặc tắt/bật",
    "DELETE /api/v1/webhooks/{subscription_id}": "Xoá đăng ký và nhật ký gửi của nó",
    "GET /api/v1/webhooks/{subscription_id}/deliveries":
        "Nhật ký gửi, mới nhất trước: trạng thái, số lần thử, mã trả lời, độ trễ, lỗi",
    "POST /api/v1/webhooks/{subscription_id}/deliveries/redeliver":
        "Gửi lại mọi lần gửi đã hỏng hẳn, mỗi lần một `webhook-id` mới",
    "POST /api/v1/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver":
        "Gửi lại một lần gửi đã kết thúc, giữ nguyên `webhook-id`",
    "POST /api/v1/webhooks/{subscription_id}/ping":
        "Xếp một `webhook.ping` có chữ ký; kết quả xem trong nhật ký gửi",
    "POST /api/v1/webhooks/{subscription_id}/rotate-secret":
        "Cấp bí mật mới; cả hai cùng ký mọi webhook đến hết thời gian chuyển tiếp (24 giờ)",
    "POST /api/v1/messages/{name}": "Gửi thông điệp `name` tới quy trình có mã `correlation_key`",
    "GET /api/v1/me/notification-preferences": "Xem cách bạn nhận thông báo việc",
    "PUT /api/v1/me/notification-preferences":
        "Chọn nhận thư ngay hoặc tổng hợp hằng ngày vào một giờ, và tắt bớt loại thông báo",
    "GET /api/v1/notifications":
        "Liệt kê thông báo, mới nhất trước; `?status=dead` là những thư không gửi được",
    "GET /api/v1/notifications/unreachable-users": "Người dùng chưa có địa chỉ thư và số thông báo họ đã lỡ",
    "POST /api/v1/notifications/{notification_id}/resend": "Gửi lại thông báo hỏng sau khi đã sửa địa chỉ",
    "GET /api/v1/reports/bottlenecks":
        "Trung vị và p90 thời gian xử lý theo bước và cơ quan, số lần lặp, chờ",
    "GET /api/v1/reports/discipline":
        "Báo cáo kỷ luật hành chính tháng: số liệu theo cơ quan và người, xếp hạng",
    "GET /api/v1/reports/discipline.{fmt}": "Tải báo cáo kỷ luật dạng XLSX (mỗi mục một trang), CSV hoặc PDF",
    "GET /api/v1/reports/discipline/published": "Các bản báo cáo tháng đã công bố, tháng mới nhất trước",
    "POST /api/v1/reports/discipline/published/{month}":
        "Tính lại báo cáo tháng; số liệu thay đổi thì tạo bản mới",
    "GET /api/v1/reports/discipline/published/{month}/{revision}":
        "Một bản báo cáo đã công bố, đúng như lúc lưu",
    "GET /api/v1/reports/discipline/published/{month}/{revision}.{fmt}":
        "Tải một bản báo cáo đã công bố, đúng như lúc lưu",
    "GET /api/v1/reports": "Danh mục các báo cáo, đường dẫn và định dạng tải về",
    "GET /api/v1/reports/overdue": "Việc quá hạn mọi loại có bộ lọc, và tồn đọng theo cơ quan và quy trình",
    "GET /api/v1/procedures": "Danh mục thủ tục: mã, thời hạn luật định và phần thời gian của từng bước",
    "GET /api/v1/dossiers":
        "Liệt kê hồ sơ TTHC, mới nhất trước; lọc theo cơ quan, thủ tục, trạng thái, trễ hạn",
    "POST /api/v1/dossiers": "Tiếp nhận hồ sơ tại bộ phận một cửa; quy trình bắt đầu bằng bước kiểm tra",
    "GET /api/v1/dossiers/{code}":
        "Xem hồ sơ: trạng thái, các mốc, đánh giá 766, việc đang mở, lịch sử, vi phạm",
    "POST /api/v1/dossiers/{code}/apology":
        "Gửi thư xin lỗi và hẹn lại (mẫu 04): một lần, trước hạn 1 ngày làm việc",
    "POST /api/v1/dossiers/{code}/stop":
        "Dừng giải quyết hồ sơ (trạng thái 8); lãnh đạo cơ quan giải quyết quyết định",
    "POST /api/v1/dossiers/{code}/withdraw": "Ghi nhận người nộp rút hồ sơ (trạng thái 7); quy trình dừng",
    "GET /api/v1/public/dossiers/{code}":
        "Tra cứu hồ sơ bằng mã biên nhận, không cần đăng nhập (giới hạn tần suất)",
}

# English descriptions that docstrings carry beyond their first line.
DESCRIPTIONS = {
    "POST /api/v1/messages/{name}":
        "Ký đúng thân yêu cầu theo Standard Webhooks (`webhook-id`, `webhook-timestamp`, "
        "`webhook-signature`) bằng bí mật của một đăng ký webhook đang bật của cơ quan. Gửi lại "
        "cùng `webhook-id` với cùng thân yêu cầu được trả 202 mà không áp dụng lần hai.",
    "GET /metrics": "Dành cho Prometheus. Chỉ trả lời yêu cầu từ chính máy chủ (không qua proxy), "
    "hoặc, khi đặt DUNGHAN_METRICS_TOKEN, yêu cầu gửi đúng mã đó (Authorization: Bearer ...).",
    "POST /api/v1/tokens":
        "Mã do một người cấp gắn với chính người đó: dùng cho cơ quan của họ, không bao giờ quá "
        "vai trò họ đang giữ ở từng yêu cầu, hết hiệu lực khi họ rời cơ quan, bị khoá, hoặc khi "
        "uỷ quyền kết thúc. `system: true` cấp mã hệ thống của cơ quan, không gắn với ai (chỉ "
        "quản trị). Mọi mã đều hết hạn: mặc định và tối đa 365 ngày.",
    "PATCH /api/v1/users/{user_id}":
        "Đổi mật khẩu, vai trò, cơ quan hoặc trạng thái sẽ đăng xuất người dùng khỏi mọi phiên.",
}


def register(app: APIFlask) -> None:
    """Translate APIFlask's stock texts and rewrite the spec's summaries and tags in Vietnamese."""
    app.config.update(RESPONSES)

    @app.spec_processor
    def vietnamese(spec: dict) -> dict:
        for path, operations in spec.get("paths", {}).items():
            for method, operation in operations.items():
                key = f"{method.upper()} {path}"
                if key in SUMMARIES:
                    operation["summary"] = SUMMARIES[key]
                if key in DESCRIPTIONS:
                    operation["description"] = DESCRIPTIONS[key]
                elif key in SUMMARIES and not _vietnamese(operation.get("description", "")):
                    operation.pop("description", None)
                for response in operation.get("responses", {}).values():
                    if response.get("description") == "Prometheus text format":
                        response["description"] = "Văn bản định dạng Prometheus"
        spec["tags"] = _tags(spec.get("tags", []))
        return spec


def _tags(tags: list[dict]) -> list[dict]:
    """Keep one entry per tag name (several blueprints share one), each with a description."""
    merged: dict[str, dict] = {}
    for tag in tags:
        entry = merged.setdefault(tag["name"], {"name": tag["name"]})
        if tag.get("description"):
            entry["description"] = tag["description"]
        elif tag["name"] in TAGS:
            entry.setdefault("description", TAGS[tag["name"]])
    return list(merged.values())


def _vietnamese(text: str) -> bool:
    """Tell whether a text carries Vietnamese letters (diacritics or đ)."""
    return any(ch in VIETNAMESE_LETTERS for ch in text.lower())


VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")
