"""Seed a living one-stop desk for `make run`: a few dossiers standing at different steps.

Each dossier is driven through the same use cases the API calls, so what the demo shows is
exactly what an officer would have produced; seeding twice adds nothing.
"""

from engine import services
from engine.clock import Clock
from engine.identity import Principal, Role
from engine.rules import Rules
from engine.services import dossiers
from engine.store.dossiers import DossierQuery
from engine.store.uow import UnitOfWorkFactory

APPLICANTS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung",
              "Hoàng Minh Đức", "Vũ Thị Hạnh"]
ACCEPT = ("receive", {"decision": "accept"})
TO_APPRAISAL = [ACCEPT, ("hand_over", {}), ("assign", {"assignee": "cv"})]
# (procedure, desk, handling agency, steps, extra receipt fields, what a newcomer sees)
SCENARIOS = [
    ("2.000488", "TTPVHCC", "STP", [], {}, "chờ Bộ phận Một cửa kiểm tra (1)"),
    ("1.009972", "TTPVHCC", "SXD", TO_APPRAISAL, {}, "Sở Xây dựng đang thẩm định (4)"),
    ("1.001612", "UBND_KINHBAC", "UBND_KINHBAC",
     [*TO_APPRAISAL, ("appraise", {"outcome": "supplement",
                                   "reasons": "Bổ sung hợp đồng thuê địa điểm kinh doanh"})],
     {}, "chờ công dân bổ sung (5)"),
    ("1.001193", "UBND_TIENDU", "UBND_TIENDU",
     [*TO_APPRAISAL, ("appraise", {"outcome": "propose"}), ("sign", {"signed": True}),
      ("return_result", {"note": "Đã trao Giấy khai sinh"})], {}, "đã trả kết quả (10)"),
    ("1.004873", "UBND_KINHBAC", "UBND_KINHBAC",
     [("receive", {"decision": "refuse", "reasons": "Người yêu cầu không cư trú tại phường"})],
     {}, "không được tiếp nhận (3)"),
    ("1.012757", "TTPVHCC", "VPDKDD",
     [ACCEPT, ("process_link", {"note": "Hồ sơ đủ, chuyển UBND xã Tiên Du xác nhận"})],
     {"locality": "UBND_TIENDU"}, "liên thông, đang ở khâu UBND xã (4)"),
]


def seed_dossiers(uow: UnitOfWorkFactory, clock: Clock, rules: Rules) -> list[str]:
    """Receive and drive the demo dossiers unless the desk already has some; return lines to print."""
    with uow() as u:
        if u.dossiers.search(DossierQuery(limit=1))[1]:
            return []
    lines = []
    for (code, desk, agency, steps, extra, what), name in zip(SCENARIOS, APPLICANTS, strict=True):
        receipt = dossiers.Receipt(code, {"name": name}, "paper", extra.get("locality"))
        view = dossiers.receive_dossier(uow(), clock, _staff(desk), receipt, rules)
        for bpmn_id, data in steps:
            task = next(t for t in view["open_tasks"] if t["bpmn_id"] == bpmn_id)
            services.complete_task(uow(), clock, _staff(task["agency"]), task["id"], data, rules)
            view = dossiers.get_dossier(uow(), clock, _staff(agency), view["code"])
        lines.append(f"{view['code']}: {what}")
    return lines


def _staff(agency: str) -> Principal:
    """Act as the demo officer and head of an agency."""
    return Principal(f"demo:{agency.lower()}", agency, frozenset({Role.OFFICER, Role.HEAD}))
