"""Seed citizen feedback for `make run`: a few items standing at different steps.

Each item comes in through the intake use case the portals call and moves through the same
task completions an officer makes, so the demo shows what the product itself produced. One
was received a month back and is still being handled, so it is overdue now and reaches the
Provincial Office's overdue list. Seeding twice adds nothing.
"""

from datetime import timedelta

from engine import services
from engine.clock import Clock, FrozenClock
from engine.identity import Principal, Role
from engine.rules import Rules
from engine.services import feedback
from engine.store.feedback import FeedbackQuery
from engine.store.uow import UnitOfWorkFactory

PORTAL = "cong_dvcqg"
SENDER = {"name": "Nguyễn Thị Minh", "email": "nguyen.minh@bacninh.example.vn"}
LIGHTS = ("Đèn đường hỏng tại ngõ 12 phố Nguyễn Văn Cừ",
          "Đèn đường ngõ 12 phố Nguyễn Văn Cừ hỏng hai tuần, đi lại buổi tối rất nguy hiểm.")
ACCEPT = ("review", {"decision": "accept"})
TODAY = "today"  # filled with the local date the step is taken on
# (agency, kind, title and content, days ago, steps, what a newcomer sees)
SCENARIOS = [
    ("SXD", "ha_tang_moi_truong",
     ("Công trình để vật liệu chiếm vỉa hè đường Lý Thái Tổ",
      "Công trình số 45 đường Lý Thái Tổ để vật liệu chiếm hết vỉa hè một tháng."),
     0, [], "Sở Xây dựng đang xem xét tiếp nhận"),
    ("UBND_KINHBAC", "ha_tang_moi_truong", LIGHTS, 1,
     [("review", {"decision": "transfer", "transfer_to": "SXD",
                  "reasons": "Tuyến đường do Sở Xây dựng quản lý theo phân cấp"})],
     "phường Kinh Bắc chuyển lên Sở Xây dựng (người phản ánh được báo qua thư)"),
    ("UBND_TIENDU", "thu_tuc_hanh_chinh",
     ("Chậm cấp bản sao trích lục khai sinh",
      "Nộp yêu cầu cấp bản sao trích lục khai sinh đã 10 ngày chưa nhận."),
     1, [("review", {"decision": "supplement", "reasons": "Đề nghị cung cấp số biên nhận hồ sơ"})],
     "xã Tiên Du chờ người phản ánh bổ sung"),
    ("STC", "khac", ("Đề nghị giảm giá vé xe buýt cho người cao tuổi",
                     "Đề nghị tỉnh giảm giá vé xe buýt cho người từ 70 tuổi trở lên."),
     2, [("review", {"decision": "refuse",
                     "reasons": "Nội dung đã được trả lời tại văn bản số 215/STC-QLG ngày 10/10/2026"})],
     "Sở Tài chính từ chối tiếp nhận, nêu lý do"),
    ("STP", "hanh_vi_hanh_chinh", ("Cán bộ tư pháp hẹn trả kết quả nhiều lần",
                                  "Cán bộ bộ phận tư pháp hẹn trả kết quả chứng thực ba lần không đúng hẹn."),
     30, [ACCEPT], "Sở Tư pháp đang xử lý và đã QUÁ HẠN (danh sách quá hạn của VP UBND tỉnh)"),
    ("UBND_KINHBAC", "ha_tang_moi_truong", ("Rác thải tồn đọng tại chợ Kinh Bắc",
                                            "Rác thải ở cổng sau chợ Kinh Bắc không được thu gom ba ngày."),
     20, [ACCEPT, ("handle", {"outcome": "answered",
                              "answer": "Đã thu gom rác và bố trí thêm thùng chứa tại cổng sau chợ."}),
          ("publish", {"published_at": TODAY,
                       "published_where": "Cổng thông tin điện tử phường Kinh Bắc"})],
     "phường Kinh Bắc đã trả lời và công khai"),
]


def seed_feedback(uow: UnitOfWorkFactory, clock: Clock, rules: Rules) -> list[str]:
    """Receive and drive the demo feedback unless some exists; return lines to print."""
    with uow() as u:
        if u.feedback.search(FeedbackQuery(limit=1))[1]:
            return []
    lines = []
    for number, (agency, kind, (title, content), days_ago, steps, what) in enumerate(SCENARIOS, 1):
        then = FrozenClock(clock.now() - timedelta(days=days_ago))
        intake = feedback.Intake(PORTAL, f"DEMO-{number:04d}", agency, title, content, kind,
                                 "national_portal", SENDER)
        view, _ = feedback.receive_feedback(uow, then, _staff("VPUBND"), intake, rules)
        for bpmn_id, data in steps:
            task = next(t for t in view["open_tasks"] if t["bpmn_id"] == bpmn_id)
            today = then.now().astimezone(rules.calendar.tz).date().isoformat()
            data = {k: today if v == TODAY else v for k, v in data.items()}
            services.complete_task(uow(), then, _staff(task["agency"]), task["id"], data, rules)
            view = feedback.get_feedback(uow(), then, _staff("VPUBND"), view["id"])
        lines.append(f"{view['id']}: {what}")
    return lines


def _staff(agency: str) -> Principal:
    """Act as the demo officer and head of an agency (the Provincial Office for the intake)."""
    roles = {Role.OFFICER, Role.HEAD} | ({Role.PROVINCIAL_OFFICE} if agency == "VPUBND" else set())
    return Principal(f"demo:{agency.lower()}", agency, frozenset(roles))
