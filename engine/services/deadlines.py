"""Explain task deadlines, recompute them after a calendar change, and refuse self-service moves.

Nobody moves the clock that binds them: a pause or more time is asked for and decided by
another (engine.services.deadline_requests), or granted by a process step that another
agency completes (engine.services.ledger); both write the ledger through ``change_deadline``.
"""

from typing import NoReturn

from engine import policy
from engine.clock import Clock
from engine.deadlines import ChangeKind, Deadline, explain, replay
from engine.errors import Conflict, Invalid
from engine.identity import SYSTEM, Principal
from engine.instances import TaskStatus, approver_of
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.ledger import change_deadline, changes_of, record, reschedule
from engine.services.tasks import task_resource, task_row
from engine.store.uow import UnitOfWork
from engine.views import deadline_request_view, task_view

FINGERPRINT_KEY = "calendar_fingerprint"
SELF_SERVICE_GONE = ("Cơ quan không tự tạm dừng, chạy lại hay gia hạn thời hạn của mình: gửi đề nghị "
                     "(POST /api/v1/tasks/{id}/deadline-requests) để lãnh đạo cơ quan có thẩm quyền duyệt")


def refuse_self_service(uow: UnitOfWork, principal: Principal, task_id: str) -> NoReturn:
    """Refuse an agency pausing or extending its own clock, naming the way that remains.

    A task whose process grants extensions in a step of its own (``extends``) points there;
    any other task points to a pause or more-time request.
    """
    with uow:
        task = running_deadline(uow, principal, task_id)
        version_id = uow.instances.get(task["instance_id"])["process_version_id"]
        approver = approver_of(uow.processes.compiled(version_id), task["bpmn_id"])
    if approver is not None:
        raise Conflict(f"Thời hạn nhiệm vụ này chỉ được gia hạn khi bước '{approver}' đồng ý")
    raise Conflict(SELF_SERVICE_GONE)


def end_legacy_pause(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                     reason: str, rules: Rules | None = None) -> dict:
    """Restart a clock an agency paused itself before pauses needed approval (migration 0020).

    Such a pause has no end but this one, and leaving it open would keep the task from ever
    being overdue; any other clock is moved only by a decided request.
    """
    with uow:
        task = running_deadline(uow, principal, task_id)
        if task["paused_at"] is None:
            raise Conflict(SELF_SERVICE_GONE)
        if len((reason or "").strip()) < 5:
            raise Invalid("Thiếu lý do", {"reason": "Bắt buộc, ít nhất 5 ký tự"})
        change_deadline(uow, clock.now(), principal, task, ChangeKind.RESUMED, reason.strip(),
                        rules or default_rules())
        view = task_view(uow.tasks.get(task_id))
        uow.commit()
    return view


def explain_deadline(uow: UnitOfWork, principal: Principal, task_id: str,
                     rules: Rules | None = None) -> dict:
    """Show how a task's due date was computed, day by day, with its ledger and requests."""
    with uow:
        task = task_row(uow, task_id)
        policy.require(principal, Action.READ_TASK, Resource(task["agency_code"]))
        if task["deadline"] is None:
            return {"task_id": task_id, "due": None, "explanation_vi": "Nhiệm vụ này không có thời hạn."}
        rows = uow.ledger.for_task(task_id)
        asked = uow.requests.for_task(task_id)
    calendar = (rules or default_rules()).calendar.for_agency(task["agency_code"])
    body = explain(Deadline.from_json(task["deadline"]), changes_of(rows), calendar)
    body["task_id"] = task_id
    body["ledger"] = [_ledger_view(r) for r in rows]
    body["requests"] = [deadline_request_view(r) for r in asked]
    return body


def recompute_deadlines(uow: UnitOfWork, clock: Clock, rules: Rules) -> list[dict]:
    """Recompute open due dates when the calendar, the hours or the counting rules changed.

    The fingerprint covers all three, so the first start after any of them changed replays
    every open task's rule and ledger; completed and withdrawn tasks keep their history.
    """
    calendar = rules.calendar
    with uow:
        if uow.settings.get(FINGERPRINT_KEY) == calendar.fingerprint:
            return []
        changed = []
        for task in uow.tasks.open_with_deadlines():
            due = replay(Deadline.from_json(task["deadline"]), changes_of(uow.ledger.for_task(task["id"])),
                         calendar.for_agency(task["agency_code"])).due
            if due != task["due_at"]:
                reason = (f"Lịch làm việc, giờ làm việc hoặc quy tắc tính thời hạn thay đổi"
                          f" (phiên bản {calendar.fingerprint})")
                record(uow, clock.now(), SYSTEM, task, ChangeKind.RECOMPUTED, reason, due)
                uow.tasks.update(task["id"], due_at=due)
                if task["paused_at"] is None:  # a paused clock reminds no one until resumed
                    reschedule(uow, rules, task, due, clock.now())
                changed.append({"task_id": task["id"], "old_due": task["due_at"], "new_due": due})
        uow.settings.put(FINGERPRINT_KEY, calendar.fingerprint)
        uow.commit()
    return changed


def running_deadline(uow, principal, task_id):
    """Return an open task with a deadline that the principal may act on, or refuse."""
    task = task_row(uow, task_id)
    policy.require(principal, Action.ACT_ON_TASK, task_resource(task))
    if task["state"] != TaskStatus.OPEN:
        raise Conflict("Nhiệm vụ đã đóng")
    if task["deadline"] is None:
        raise Conflict("Nhiệm vụ này không có thời hạn")
    return task


def _ledger_view(row) -> dict:
    return {"kind": row["kind"], "at": row["at"].isoformat(), "actor": row["actor"],
            "reason": row["reason"], "working_days": row["working_days"],
            "approved_by": row["approved_by"],
            "old_due": row["old_due"].isoformat() if row["old_due"] else None,
            "new_due": row["new_due"].isoformat() if row["new_due"] else None}
