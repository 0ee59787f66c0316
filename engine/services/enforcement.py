"""Job handlers: fire BPMN timers, climb escalation ladders, apply deemed consent; list overdue work."""

from datetime import datetime

from engine import policy
from engine.errors import StepFailed
from engine.escalation import LEVEL, Rung
from engine.events import LadderRungReached
from engine.identity import Principal
from engine.instances import SYSTEM_ACTOR, InstanceStatus, TaskStatus
from engine.rules import Rules, default_rules
from engine.services.dossier_status import PROMISED_JOB, reach_promised_instant
from engine.services.persistence import load_instance, note_failure, save_instance
from engine.services.responsibility import people_behind
from engine.store.jobs import Job
from engine.store.uow import UnitOfWork
from engine.views import task_view

VIOLATION_OF_RUNG = {Rung.OVERDUE: "overdue", Rung.ESCALATION: "escalated",
                     Rung.DEEMED_CONSENT: "deemed_consent"}


def handlers(rules: Rules) -> dict:
    """Return the worker's handlers, by job kind, bound to the rules in force."""
    return {
        "timer": lambda uow, job, now: fire_timer(uow, job, now, rules),
        "ladder": lambda uow, job, now: climb_ladder(uow, job, now, rules),
        PROMISED_JOB: lambda uow, job, now: reach_promised_instant(uow, job, now, rules),
    }


def fire_timer(uow: UnitOfWork, job: Job, now: datetime, rules: Rules) -> None:
    """Fire an instance's due timers under its compare-and-set, in the worker's transaction."""
    row, instance = load_instance(uow, job.payload["instance_id"], rules, now)
    if instance.status != InstanceStatus.RUNNING:
        return  # cancelled or finished since the timer was armed: nothing left to fire
    try:
        instance.fire_timers(now)
    except StepFailed as err:
        # A failing script after a timer fails the same way on every retry: the step is
        # not applied, and the reason is kept on the instance for its lead and designer.
        note_failure(uow, row["id"], err, SYSTEM_ACTOR, now)
        return
    save_instance(uow, row, instance, rules, now)


def climb_ladder(uow: UnitOfWork, job: Job, now: datetime, rules: Rules) -> None:
    """Apply one rung to a task still open and running; a closed or paused task is left alone."""
    task = uow.tasks.get(job.payload["task_id"])
    if task is None or task["state"] != TaskStatus.OPEN or task["paused_at"] is not None:
        return
    rung = Rung(job.payload["rung"])
    if rung == Rung.UNCLAIMED and task["claimed_by"] is not None:
        return  # someone took it in time
    if rung in VIOLATION_OF_RUNG:
        uow.violations.add(agency_code=task["agency_code"], kind=VIOLATION_OF_RUNG[rung],
                           instance_id=task["instance_id"], task_id=task["id"], occurred_at=now,
                           **people_behind(uow, task))
    if rung == Rung.DEEMED_CONSENT:
        row, instance = load_instance(uow, task["instance_id"], rules, now)
        instance.deem_consent(task["id"], now)
        save_instance(uow, row, instance, rules, now)
        return
    level = max(task["escalation_level"], LEVEL[rung])
    uow.tasks.update(task["id"], escalation_level=level)
    agency = uow.directory.agency(task["agency_code"])
    uow.journal.record(LadderRungReached(task["instance_id"], now, SYSTEM_ACTOR, task["id"],
                                         task["agency_code"], rung, task["due_at"], level,
                                         agency["head_name"] if agency else None))


def overdue_list(uow: UnitOfWork, principal: Principal, now: datetime,
                 rules: Rules | None = None) -> list[dict]:
    """List open tasks past due, oldest first, with the accountable agency and its head."""
    policy.require(principal, policy.Action.READ_OVERDUE)
    calendar = (rules or default_rules()).calendar
    with uow:
        rows = uow.tasks.overdue(now)
    return [
        {**task_view(r), "agency_name": r["agency_name"], "agency_head": r["head_name"],
         "overdue_working_hours": calendar.for_agency(r["agency_code"])
                                  .working_time_between(r["due_at"], now).total_seconds() / 3600,
         "escalated": r["escalation_level"] >= LEVEL[Rung.ESCALATION]}
        for r in rows
    ]
