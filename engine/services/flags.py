"""Flag a consultation as over-broad (item 1d: consult only the agencies directly concerned)."""

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Invalid, NotFound
from engine.events import ConsultationFlagged
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.policy import Action
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork

REQUEST_FORM = "consultation_request"


def flag_over_broad(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str,
                    note: str) -> dict:
    """Record, once, the Provincial Office's note that a consultation asked too many agencies."""
    policy.require(principal, Action.FLAG_CONSULTATION)
    if len((note or "").strip()) < 10:
        raise Invalid("Thiếu nhận xét", {"note": "Bắt buộc: nêu cơ quan nào không liên quan và vì sao,"
                                                 " ít nhất 10 ký tự"})
    with uow:
        row = uow.instances.get(instance_id)
        if row is None:
            raise NotFound("Không tìm thấy hồ sơ")
        tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=10_000))
        if not any(t["form"] == REQUEST_FORM and t["state"] == TaskStatus.COMPLETED for t in tasks):
            raise Conflict("Chỉ đánh dấu được yêu cầu lấy ý kiến đã gửi đi")
        if uow.flags.get(instance_id) is not None:
            raise Conflict("Yêu cầu lấy ý kiến này đã được đánh dấu quá rộng")
        now, flag = clock.now(), {"instance_id": instance_id, "lead_agency": row["lead_agency"],
                                  "note": note.strip(), "flagged_by": principal.subject}
        uow.flags.add(flagged_at=now, **flag)
        uow.journal.record(ConsultationFlagged(instance_id, now, principal.subject, row["lead_agency"],
                                               note.strip()))
        uow.commit()
    return {**flag, "flagged_at": now.isoformat()}
