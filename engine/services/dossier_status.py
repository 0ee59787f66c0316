"""Keep a dossier's national status in step with its process, in the step's own transaction.

The process decides where a dossier stands: each user task of a TTHC process declares, in
``spiffworkflow:properties``, the ``dossier_status`` the dossier is in while that task is
open (the desk's receipt 1, hand-over 2, the agency's work 4, waiting for a supplement 5 or a
payment 6, the result ready 9), and a script before each end event sets the variable
``dossier_status`` (returned 10, refused 3). After every step the dossier follows: one status
change is one audit row and one ``dossier.status_changed`` outbox event.
"""

from datetime import datetime
from decimal import Decimal

from engine.calendar import WorkCalendar
from engine.dossiers import Dossier, DossierStatus
from engine.instances import SYSTEM_ACTOR, InstanceStatus, ProcessInstance
from engine.rules import Rules
from engine.services.responsibility import head_of
from engine.store.dossiers import to_dossier
from engine.store.jobs import Job

CODE_VARIABLE = "dossier_code"
PROMISED_JOB = "dossier"
APOLOGY_REMINDER, PROMISE_REACHED = "apology_reminder", "promised"


def status_of(instance: ProcessInstance) -> DossierStatus | None:
    """Return the status the process puts its dossier in now, or None to keep the current one."""
    if instance.status == InstanceStatus.COMPLETED:
        value = instance.variables.get("dossier_status")
        return DossierStatus(int(value)) if value else None
    if instance.status != InstanceStatus.RUNNING:
        return None
    declared = {
        t.task_spec.extensions.get("properties", {}).get("dossier_status")
        for t in instance.ready_tasks()
    } - {None}
    # A consultation inside the process opens tasks that declare nothing: the status stays.
    return DossierStatus(max(int(v) for v in declared)) if declared else None


def follow_instance(uow, instance: ProcessInstance, rules: Rules, now: datetime,
                    actor: str | None = None) -> None:
    """Move the instance's dossier, if it has one, to the status its process declares."""
    code = _dossier_code(instance)
    if code is None:
        return
    row = uow.dossiers.get(code)
    target = status_of(instance)
    if row is None or target is None or target == row["status"]:
        return
    dossier = load_dossier(uow, row)
    cal = rules.calendar.for_agency(dossier.agency)
    dossier.move_to(target, now, actor or SYSTEM_ACTOR, cal)
    save_dossier(uow, row, dossier, now, cal)


def _dossier_code(instance: ProcessInstance) -> str | None:
    root = instance.workflow.task_tree.data
    return root.get(CODE_VARIABLE) or instance.variables.get(CODE_VARIABLE)


def load_dossier(uow, row) -> Dossier:
    """Rebuild a dossier from its row and the catalog version it was received under."""
    version = uow.catalog.get(row["procedure_version_id"])
    return to_dossier(row, Decimal(str(version["definition"]["total_working_days"])))


def save_dossier(uow, row, dossier: Dossier, now: datetime, cal: WorkCalendar) -> None:
    """Save the dossier, journal its events and arm its two rungs for the current promise.

    The reminder comes one working day before the apology's last instant; the promise rung
    records a missing apology. Keys name the promise, so a moved promise gets fresh rungs and
    the stale ones find nothing to do.
    """
    uow.dossiers.save(row, dossier, now)
    uow.journal.record_all(dossier.events)
    dossier.events.clear()
    running = dossier.finished_at is None and dossier.paused_since is None
    if running and dossier.promised_at is not None and dossier.apologised_at is None:
        promised = dossier.promised_at.isoformat()
        for rung, at in ((APOLOGY_REMINDER, dossier.apology_reminder_at(cal)),
                         (PROMISE_REACHED, dossier.promised_at)):
            key = f"{PROMISED_JOB}:{dossier.code}:{rung}:{promised}"
            uow.jobs.schedule(PROMISED_JOB, key, max(at, now), {"code": dossier.code, "rung": rung}, now)


def reach_promised_instant(uow, job: Job, now: datetime, rules: Rules) -> None:
    """Apply a dossier rung: remind the agency to apologise, or record a missing apology."""
    row = uow.dossiers.get(job.payload["code"])
    if row is None:
        return
    dossier = load_dossier(uow, row)
    cal = rules.calendar.for_agency(dossier.agency)
    if job.payload.get("rung", PROMISE_REACHED) == APOLOGY_REMINDER:
        if dossier.remind_apology(now, SYSTEM_ACTOR, cal):
            save_dossier(uow, row, dossier, now, cal)
    elif dossier.promised_instant_reached(now, SYSTEM_ACTOR):
        # The apology letter is the head's to sign: the head answers for its absence.
        head = head_of(uow, dossier.agency)
        uow.violations.add(agency_code=dossier.agency, kind="apology_missing",
                           instance_id=dossier.instance_id, task_id=dossier.instance_id,
                           occurred_at=now, responsible=head, head_name=head)
        save_dossier(uow, row, dossier, now, cal)
