"""Seed the Provincial Office's follow-up for `make run`: a few tasks the provincial leaders assigned.

Each is registered and driven through the same use cases the API calls, on a clock set back
to the day it happened, so the demo holds one task on time, one overdue (the worker marks and
escalates it when the service starts) and one whose deadline an approval extended. Seeding
twice adds nothing.
"""

from datetime import timedelta

from engine import services
from engine.clock import Clock, FrozenClock
from engine.identity import Principal, Role
from engine.rules import Rules
from engine.store.assignments import AssignmentQuery
from engine.store.uow import UnitOfWorkFactory

OFFICE = Principal("demo:vpubnd", "VPUBND", frozenset({Role.PROVINCIAL_OFFICE}))
REPORT = {"percent": 40, "work_done": "Đã lập tổ công tác, khảo sát hiện trạng và xin ý kiến các sở."}
# (days ago, registration, then (days ago, agency, step, answer) in order, what a newcomer sees)
SCENARIOS = [
    (3, {"source_kind": "conclusion", "source_number": "142/TB-UBND", "assigned_by": "chairman",
         "assigned_by_name": "Nguyễn Văn Chủ", "content": "Rà soát, đề xuất sửa đổi quy định quản lý "
         "cây xanh đô thị trên địa bàn tỉnh.", "assigned_agency": "SXD", "cooperating_agencies": ["STC"],
         "deadline_kind": "working_days", "deadline_days": 20, "report_period": "weekly"},
     [(1, "SXD", "report_progress", REPORT)], "Sở Xây dựng, đang thực hiện, đã báo cáo tiến độ"),
    (45, {"source_kind": "document", "source_number": "1875/UBND-KT", "assigned_by": "vice_chairman",
          "assigned_by_name": "Trần Văn Phó", "content": "Tổng hợp, báo cáo tình hình giải ngân vốn "
          "đầu tư công của các chủ đầu tư.", "assigned_agency": "STC", "cooperating_agencies": [],
          "deadline_kind": "working_days", "deadline_days": 10, "report_period": "monthly"},
     [], "Sở Tài chính, quá hạn, lên danh sách quá hạn của Văn phòng UBND tỉnh"),
    (14, {"source_kind": "conclusion", "source_number": "131/TB-UBND", "assigned_by": "vice_chairman",
          "assigned_by_name": "Trần Văn Phó", "content": "Xây dựng dự thảo Quyết định ban hành quy chế "
          "phối hợp kiểm tra văn bản quy phạm pháp luật.", "assigned_agency": "STP",
          "cooperating_agencies": ["SNV"], "deadline_kind": "working_days", "deadline_days": 15,
          "report_period": "weekly"},
     [(12, "STP", "report_progress", {**REPORT, "request_extension": True, "extension_days": 10,
                                     "extension_reasons": "Chờ ý kiến thẩm định của Bộ Tư pháp về "
                                                          "phạm vi điều chỉnh của quy chế."}),
      (11, "VPUBND", "review_extension", {"decision": "approve", "granted_days": 10,
                                          "decided_by": "Phó Chủ tịch UBND tỉnh Trần Văn Phó",
                                          "reasons": "Đồng ý gia hạn để chờ ý kiến thẩm định."})],
     "Sở Tư pháp, được gia hạn 10 ngày làm việc"),
]


def seed_assignments(uow: UnitOfWorkFactory, clock: Clock, rules: Rules) -> list[str]:
    """Register and drive the demo's assigned tasks unless some exist; return lines to print."""
    now = clock.now()
    with uow() as u:
        if u.assignments.search(AssignmentQuery(now, limit=1))[1]:
            return []
    lines = []
    for days_ago, registration, steps, what in SCENARIOS:
        then = FrozenClock(now - timedelta(days=days_ago))
        source_date = (then.now() - timedelta(days=1)).date().isoformat()
        view = services.start_instance(uow(), then, OFFICE, "theo_doi_nhiem_vu",
                                       {**registration, "source_date": source_date}, rules)
        for step_days_ago, agency, bpmn_id, data in steps:
            at = FrozenClock(now - timedelta(days=step_days_ago))
            page, _ = services.list_tasks(uow(), OFFICE, services.TaskQuery(
                instance_id=view["id"], state="open"))
            task = next(t for t in page if t["bpmn_id"] == bpmn_id)
            services.complete_task(uow(), at, _staff(agency), task["id"], data, rules)
        lines.append(f"{registration['source_number']}: {what}")
    return lines


def _staff(agency: str) -> Principal:
    """Act as the demo officer and head of an agency (the Provincial Office for its own steps)."""
    roles = {Role.PROVINCIAL_OFFICE} if agency == "VPUBND" else {Role.OFFICER, Role.HEAD}
    return Principal(f"demo:{agency.lower()}", agency, frozenset(roles))
