"""Move task deadlines on a decision, explain them, and recompute them after a calendar change.

Nobody moves the clock that binds them: a pause or more time is asked for and decided by
another (engine.services.deadline_requests), which then calls ``move_deadline`` here.
"""

from engine import policy
from engine.clock import Clock
from engine.deadlines import Change, ChangeKind, Deadline, explain, replay
from engine.errors import Conflict, Invalid
from engine.events import DeadlineChanged
from engine.identity import SYSTEM, Principal
from engine.instances import TaskStatus
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.persistence import schedule_ladder
from engine.services.tasks import task_resource, task_row
from engine.store.uow import UnitOfWork
from engine.views import deadline_request_view, task_view

FINGERPRINT_KEY = "calendar_fingerprint"
SELF_SERVICE_GONE = ("Cơ quan không tự tạm dừng, chạy lại hay gia hạn thời hạn của mình: gửi đề nghị "
                     "(POST /api/v1/tasks/{id}/deadline-requests) để lãnh đạo cơ quan có thẩm quyền duyệt")


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
        move_deadline(uow, clock.now(), task, ChangeKind.RESUMED, principal.subject, reason.strip(),
                      rules or default_rules())
        view = task_view(uow.tasks.get(task_id))
        uow.commit()
    return view


def explain_deadline(uow: UnitOfWork, principal: Principal, task_id: str,
                     rules: Rules | None = None) -> dict:
    """Show how a task's due date was computed, day by day, with its ledger."""
    with uow:
        task = task_row(uow, task_id)
        policy.require(principal, Action.READ_TASK, Resource(task["agency_code"]))
        if task["deadline"] is None:
            return {"task_id": task_id, "due": None, "explanation_vi": "Nhiệm vụ này không có thời hạn."}
        rows = uow.ledger.for_task(task_id)
        asked = uow.requests.for_task(task_id)
    calendar = (rules or default_rules()).calendar.for_agency(task["agency_code"])
    body = explain(Deadline.from_json(task["deadline"]), _changes(rows), calendar)
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
            due = replay(Deadline.from_json(task["deadline"]), _changes(uow.ledger.for_task(task["id"])),
                         calendar.for_agency(task["agency_code"])).due
            if due != task["due_at"]:
                reason = (f"Lịch làm việc, giờ làm việc hoặc quy tắc tính thời hạn thay đổi"
                          f" (phiên bản {calendar.fingerprint})")
                _record(uow, clock.now(), SYSTEM.subject, task, ChangeKind.RECOMPUTED, reason, due)
                uow.tasks.update(task["id"], due_at=due)
                if task["paused_at"] is None:  # a paused clock reminds no one until resumed
                    _reschedule(uow, rules, task, due, clock.now())
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


def move_deadline(uow, now, task, kind: ChangeKind, actor: str, reason: str, rules: Rules,
                  working_days: int = 0, approved_by: str | None = None) -> None:
    """Record one ledger change, replay the ledger for the new due date, and re-arm the ladder."""
    changes = [*_changes(uow.ledger.for_task(task["id"])), Change(kind, now, working_days)]
    state = replay(Deadline.from_json(task["deadline"]), changes,
                   rules.calendar.for_agency(task["agency_code"]))
    _record(uow, now, actor, task, kind, reason, state.due, working_days, approved_by)
    uow.tasks.update(task["id"], due_at=state.due, paused_at=state.paused_since)
    if state.paused_since is None:
        _reschedule(uow, rules, task, state.due, now)


def _reschedule(uow, rules, task, due, now) -> None:
    process_id = uow.instances.get(task["instance_id"])["process_id"]
    schedule_ladder(uow, rules, process_id, task["id"], task["agency_code"], due,
                    task["deemed_consent"], now)


def _record(uow, now, actor: str, task, kind, reason, new_due, working_days=0,
            approved_by=None) -> None:
    uow.ledger.add(task_id=task["id"], kind=kind, at=now, actor=actor, reason=reason,
                   working_days=working_days, approved_by=approved_by,
                   old_due=task["due_at"], new_due=new_due)
    uow.journal.record(DeadlineChanged(task["instance_id"], now, approved_by or actor, task["id"],
                                       task["agency_code"], kind, reason, new_due))


def _changes(rows) -> list[Change]:
    return [Change(ChangeKind(r["kind"]), r["at"], r["working_days"]) for r in rows]


def _ledger_view(row) -> dict:
    return {"kind": row["kind"], "at": row["at"].isoformat(), "actor": row["actor"],
            "reason": row["reason"], "working_days": row["working_days"],
            "approved_by": row["approved_by"],
            "old_due": row["old_due"].isoformat() if row["old_due"] else None,
            "new_due": row["new_due"].isoformat() if row["new_due"] else None}
