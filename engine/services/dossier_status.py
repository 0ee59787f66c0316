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

from SpiffWorkflow.util.task import TaskState

from engine.dossiers import Dossier, DossierStatus
from engine.instances import SYSTEM_ACTOR, InstanceStatus, ProcessInstance
from engine.rules import Rules
from engine.store.dossiers import to_dossier
from engine.store.jobs import Job

CODE_VARIABLE = "dossier_code"
PROMISED_JOB = "dossier"


def status_of(instance: ProcessInstance) -> DossierStatus | None:
    """Return the status the process puts its dossier in now, or None to keep the current one."""
    if instance.status == InstanceStatus.COMPLETED:
        value = instance.variables.get("dossier_status")
        return DossierStatus(int(value)) if value else None
    if instance.status != InstanceStatus.RUNNING:
        return None
    declared = {
        t.task_spec.extensions.get("properties", {}).get("dossier_status")
        for t in instance.workflow.get_tasks(state=TaskState.READY, manual=True)
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
    dossier.move_to(target, now, actor or SYSTEM_ACTOR, rules.calendar.for_agency(dossier.agency))
    save_dossier(uow, row, dossier, now)


def _dossier_code(instance: ProcessInstance) -> str | None:
    root = instance.workflow.task_tree.data
    return root.get(CODE_VARIABLE) or instance.variables.get(CODE_VARIABLE)


def load_dossier(uow, row) -> Dossier:
    """Rebuild a dossier from its row and the catalog version it was received under."""
    version = uow.catalog.get(row["procedure_version_id"])
    return to_dossier(row, Decimal(str(version["definition"]["total_working_days"])))


def save_dossier(uow, row, dossier: Dossier, now: datetime) -> None:
    """Save the dossier, journal its events and arm the job for its promised instant."""
    uow.dossiers.save(row, dossier, now)
    uow.journal.record_all(dossier.events)
    dossier.events.clear()
    running = dossier.finished_at is None and dossier.paused_since is None
    if running and dossier.promised_at is not None and dossier.apologised_at is None:
        key = f"{PROMISED_JOB}:{dossier.code}:promised:{dossier.promised_at.isoformat()}"
        uow.jobs.schedule(PROMISED_JOB, key, dossier.promised_at, {"code": dossier.code}, now)


def reach_promised_instant(uow, job: Job, now: datetime, rules: Rules) -> None:
    """Record a dossier still open at its promise, with no apology, as late (apology missing)."""
    row = uow.dossiers.get(job.payload["code"])
    if row is None:
        return
    dossier = load_dossier(uow, row)
    if dossier.promised_instant_reached(now, SYSTEM_ACTOR):
        uow.violations.add(agency_code=dossier.agency, kind="apology_missing",
                           instance_id=dossier.instance_id, task_id=dossier.instance_id,
                           occurred_at=now)
        save_dossier(uow, row, dossier, now)
