"""Write one change to a task's deadline: the ledger row, the replayed due date, the moved rungs.

Both ways a deadline moves go through here: a head's pause, resumption or extension
(`engine.services.deadlines`) and an extension a process grants when another agency
approves it (a user task declaring ``extends`` and ``extension``, such as the Provincial
Office approving an assigned task's extension for the leader who assigned it).
"""

from engine.deadlines import Change, ChangeKind, Deadline, Grant, replay
from engine.errors import Conflict
from engine.events import DeadlineChanged
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.rules import Rules
from engine.services.persistence import ladder_prefix, schedule_ladder
from engine.store.repositories import TaskQuery


def change_deadline(uow, now, principal: Principal, task, kind: ChangeKind, reason: str,
                    rules: Rules, **extra) -> None:
    """Record the change, replay the ledger to the new due date, and move or stop the rungs."""
    changes = [*changes_of(uow.ledger.for_task(task["id"])),
               Change(kind, now, extra.get("working_days", 0))]
    state = replay(Deadline.from_json(task["deadline"]), changes,
                   rules.calendar.for_agency(task["agency_code"]))
    record(uow, now, principal, task, kind, reason, state.due, **extra)
    uow.tasks.update(task["id"], due_at=state.due, paused_at=state.paused_since)
    if state.paused_since is None:
        reschedule(uow, rules, task, state.due, now)
    else:
        uow.jobs.cancel_prefix(ladder_prefix(task["id"]))  # a paused clock reminds no one


def grant_extension(uow, now, principal: Principal, approving_task, grant: Grant,
                    rules: Rules) -> None:
    """Move the target task's deadline once, if it was asked for before that deadline passed.

    The request is the approving task's opening: it opens when the lead asks.
    """
    open_tasks, _ = uow.tasks.search(TaskQuery(instance_id=approving_task["instance_id"],
                                               state=TaskStatus.OPEN, limit=1000))
    target = next((t for t in open_tasks if t["bpmn_id"] == grant.target), None)
    if target is None or target["deadline"] is None:
        raise Conflict(f"Không còn nhiệm vụ '{grant.target}' đang mở có thời hạn để gia hạn")
    if any(c["kind"] == ChangeKind.EXTENDED for c in uow.ledger.for_task(target["id"])):
        raise Conflict("Thời hạn chỉ được gia hạn một lần; hãy chọn không đồng ý gia hạn")
    if approving_task["created_at"] > target["due_at"]:
        raise Conflict("Đề nghị gia hạn được gửi sau khi đã hết hạn; chỉ có thể không đồng ý")
    change_deadline(uow, now, principal, target, ChangeKind.EXTENDED, grant.reason, rules,
                    working_days=grant.working_days, approved_by=grant.approved_by)


def reschedule(uow, rules: Rules, task, due, now) -> None:
    """Give a task fresh ladder rungs for its new due date."""
    process_id = uow.instances.get(task["instance_id"])["process_id"]
    schedule_ladder(uow, rules, process_id, task["id"], task["agency_code"], due,
                    task["deemed_consent"], now)


def record(uow, now, principal: Principal, task, kind, reason: str, new_due, **extra) -> None:
    """Add the ledger row and its ``deadline.changed`` event."""
    uow.ledger.add(task_id=task["id"], kind=kind, at=now, actor=principal.subject, reason=reason,
                   working_days=extra.get("working_days", 0), approved_by=extra.get("approved_by"),
                   old_due=task["due_at"], new_due=new_due)
    uow.journal.record(DeadlineChanged(task["instance_id"], now, principal.subject, task["id"],
                                       task["agency_code"], kind, reason, new_due))


def changes_of(rows) -> list[Change]:
    """Turn ledger rows into the changes a replay applies."""
    return [Change(ChangeKind(r["kind"]), r["at"], r["working_days"]) for r in rows]
