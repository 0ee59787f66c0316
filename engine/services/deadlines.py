"""Pause, resume and extend task deadlines, explain them, and recompute them after a calendar change."""

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
from engine.views import task_view

FINGERPRINT_KEY = "calendar_fingerprint"
MAX_EXTENSION_DAYS = 60


def pause_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str, reason: str,
               rules: Rules | None = None) -> dict:
    """Stop a task's clock, e.g. while the citizen supplements the dossier or pays fees."""
    with uow:
        task = _running_deadline(uow, principal, task_id)
        if task["paused_at"] is not None:
            raise Conflict("Thời hạn đang tạm dừng")
        return _change(uow, clock, principal, task, ChangeKind.PAUSED, reason, rules)


def resume_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str, reason: str,
                rules: Rules | None = None) -> dict:
    """Restart a paused clock; the due date moves by the paused working time."""
    with uow:
        task = _running_deadline(uow, principal, task_id)
        if task["paused_at"] is None:
            raise Conflict("Thời hạn không ở trạng thái tạm dừng")
        return _change(uow, clock, principal, task, ChangeKind.RESUMED, reason, rules)


def extend_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                working_days: int, reason: str, rules: Rules | None = None) -> dict:
    """Extend a deadline once, by a head of the task's agency, with a reason."""
    if not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise Invalid("Số ngày gia hạn không hợp lệ",
                      {"working_days": f"Từ 1 đến {MAX_EXTENSION_DAYS} ngày làm việc"})
    with uow:
        task = _running_deadline(uow, principal, task_id)
        policy.require(principal, Action.EXTEND_DEADLINE, Resource(task["agency_code"]))
        version_id = uow.instances.get(task["instance_id"])["process_version_id"]
        approver = approver_of(uow.processes.compiled(version_id), task["bpmn_id"])
        if approver is not None:
            raise Conflict(f"Thời hạn nhiệm vụ này chỉ được gia hạn khi bước '{approver}' đồng ý")
        if any(c["kind"] == ChangeKind.EXTENDED for c in uow.ledger.for_task(task_id)):
            raise Conflict("Thời hạn chỉ được gia hạn một lần")
        return _change(uow, clock, principal, task, ChangeKind.EXTENDED, reason, rules,
                       working_days=working_days, approved_by=principal.subject)


def explain_deadline(uow: UnitOfWork, principal: Principal, task_id: str,
                     rules: Rules | None = None) -> dict:
    """Show how a task's due date was computed, day by day, with its ledger."""
    with uow:
        task = task_row(uow, task_id)
        policy.require(principal, Action.READ_TASK, Resource(task["agency_code"]))
        if task["deadline"] is None:
            return {"task_id": task_id, "due": None, "explanation_vi": "Nhiệm vụ này không có thời hạn."}
        rows = uow.ledger.for_task(task_id)
    calendar = (rules or default_rules()).calendar.for_agency(task["agency_code"])
    body = explain(Deadline.from_json(task["deadline"]), changes_of(rows), calendar)
    body["task_id"] = task_id
    body["ledger"] = [_ledger_view(r) for r in rows]
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


def _running_deadline(uow, principal, task_id):
    task = task_row(uow, task_id)
    policy.require(principal, Action.ACT_ON_TASK, task_resource(task))
    if task["state"] != TaskStatus.OPEN:
        raise Conflict("Nhiệm vụ đã đóng")
    if task["deadline"] is None:
        raise Conflict("Nhiệm vụ này không có thời hạn")
    return task


def _change(uow, clock, principal, task, kind, reason, rules, **extra) -> dict:
    if not reason or len(reason.strip()) < 5:
        raise Invalid("Thiếu lý do", {"reason": "Bắt buộc, ít nhất 5 ký tự"})
    change_deadline(uow, clock.now(), principal, task, kind, reason.strip(),
                    rules or default_rules(), **extra)
    view = task_view(uow.tasks.get(task["id"]))
    uow.commit()
    return view


def _ledger_view(row) -> dict:
    return {"kind": row["kind"], "at": row["at"].isoformat(), "actor": row["actor"],
            "reason": row["reason"], "working_days": row["working_days"],
            "approved_by": row["approved_by"],
            "old_due": row["old_due"].isoformat() if row["old_due"] else None,
            "new_due": row["new_due"].isoformat() if row["new_due"] else None}
