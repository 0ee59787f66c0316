"""Start, read and cancel process instances."""

import uuid

from engine import policy
from engine.catalog import CHAINED_PROCESS, PROCESS_STEPS
from engine.clock import Clock
from engine.errors import Invalid, NotFound, StepFailed
from engine.events import InstanceStartFailed
from engine.forms import SYSTEM_VARIABLES, FormContext, land
from engine.identity import Principal
from engine.instances import InstanceStatus, ProcessInstance, start_form, start_properties
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.persistence import (
    keep_hot,
    load_instance,
    publish,
    record_failure,
    record_start_failure,
    save_instance,
    script_engine,
)
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import instance_view, version_view

PROVINCIAL_OFFICE_KIND = "van_phong_ubnd_tinh"
MAX_VARIABLES = 100
DOSSIER_PROCESSES = {*PROCESS_STEPS, CHAINED_PROCESS}


def start_instance(uow: UnitOfWork, clock: Clock, principal: Principal, process_id: str,
                   variables: dict, rules: Rules | None = None) -> dict:
    """Start the latest version of a process on behalf of the caller's agency (the lead)."""
    policy.require(principal, Action.START_INSTANCE)
    now, rules = clock.now(), rules or default_rules()
    instance_id, number = str(uuid.uuid4()), 0
    try:
        with uow:
            version = uow.processes.latest(process_id)
            if version is None:
                raise NotFound(f"Không có quy trình '{process_id}'")
            number = version["version"]
            starter = start_properties(uow.processes.compiled(version["id"])).get("starter_role")
            policy.require(principal, Action.START_INSTANCE, Resource(starter_role=starter))
            view = _start(uow, principal, instance_id, version, variables, rules, now)
            uow.commit()
    except StepFailed as err:
        failed = InstanceStartFailed(instance_id, now, principal.subject, process_id, number,
                                     principal.agency, err.detail)
        record_start_failure(uow, failed, err)
        raise
    return view


def startable_processes(uow: UnitOfWork, principal: Principal) -> list[dict]:
    """List the latest process versions the principal may start by hand, by name.

    The dossier processes are left out: a dossier starts at the one-stop desk, from its
    procedure, never as a bare process.
    """
    if not policy.may(principal, Action.START_INSTANCE):
        return []
    with uow:
        found = []
        for row in uow.processes.summaries():
            if row["process_id"] in DOSSIER_PROCESSES:
                continue
            compiled = uow.processes.compiled(uow.processes.latest(row["process_id"])["id"])
            starter = start_properties(compiled).get("starter_role")
            if policy.may(principal, Action.START_INSTANCE, Resource(starter_role=starter)):
                found.append(version_view(row))
    return sorted(found, key=lambda v: v["name"])


def _start(uow, principal: Principal, instance_id: str, version, variables: dict, rules: Rules,
           now) -> dict:
    """Run a new instance to its first wait and store it; the caller commits."""
    instance = create_instance(uow, principal, instance_id, version, variables, rules, now)
    return _view(uow, principal, instance.id, instance)


def create_instance(uow, principal: Principal, instance_id: str, version, variables: dict,
                    rules: Rules, now, before_publish=None) -> ProcessInstance:
    """Run a new instance to its first wait and store it in the caller's unit of work.

    ``before_publish`` lets a caller store what the first step's projection reads, such as
    the dossier a TTHC process follows.
    """
    process_id, compiled = version["process_id"], uow.processes.compiled(version["id"])
    seeded = {**_given(uow, principal, compiled, variables), "lead_agency": principal.agency,
              "provincial_office": uow.directory.agency_of_kind(PROVINCIAL_OFFICE_KIND)}
    instance = ProcessInstance.start(
        instance_id, process_id, version["version"], compiled,
        script_engine(rules, now), rules.calendar, seeded, now, principal.subject,
    )
    uow.instances.add(
        id=instance.id, process_version_id=version["id"], process_id=process_id,
        process_version=version["version"], status=instance.status,
        state_json=instance.dump(), lead_agency=principal.agency,
        started_by=principal.subject, created_at=now, updated_at=now,
        ended_at=now if instance.status != InstanceStatus.RUNNING else None,
    )
    keep_hot(uow, instance, 1)
    if before_publish is not None:
        before_publish(instance)
    publish(uow, instance, rules, now)
    return instance


def cancel_instance(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str,
                    reason: str, rules: Rules | None = None) -> dict:
    """Cancel a running instance and withdraw its open tasks."""
    now = clock.now()
    try:
        with uow:
            rules = rules or default_rules()
            row, instance = load_instance(uow, instance_id, rules, now)
            policy.require(principal, Action.CANCEL_INSTANCE, Resource(lead_agency=row["lead_agency"]))
            instance.cancel(now, principal.subject, reason)
            save_instance(uow, row, instance, rules, now)
            view = _view(uow, principal, instance_id, instance)
            uow.commit()
    except StepFailed as err:
        record_failure(uow, instance_id, err, principal.subject, now)
        raise
    return view


def get_instance(uow: UnitOfWork, principal: Principal, instance_id: str,
                 rules: Rules | None = None) -> dict:
    """Show an instance to a principal allowed to see it."""
    with uow:
        return _view(uow, principal, instance_id, rules=rules or default_rules())


def _given(uow, principal: Principal, compiled, variables: dict) -> dict:
    """Return the starter's variables, through the start event's form when it names one."""
    form = start_form(compiled)
    if form is None:
        _check_variables(variables)
        return variables
    return land(form, form.validate(variables, FormContext(uow.directory.agency_codes, principal.agency)))


def _check_variables(variables: dict) -> None:
    if len(variables) > MAX_VARIABLES:
        raise Invalid(f"Không quá {MAX_VARIABLES} biến")
    bad = {k: "Tên biến không hợp lệ" for k in variables if not k.isidentifier() or k.startswith("_")}
    reserved = {k: "Biến do hệ thống đặt" for k in variables if k in SYSTEM_VARIABLES}
    if bad or reserved:
        raise Invalid("Biến khởi tạo không hợp lệ", {**bad, **reserved})


def _view(uow, principal: Principal, instance_id: str, instance=None, rules=None) -> dict:
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ")
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=1000))
    participants = frozenset(t["agency_code"] for t in tasks)
    resource = Resource(lead_agency=row["lead_agency"], participants=participants)
    policy.require(principal, Action.READ_INSTANCE, resource)
    full = policy.reads_all(principal) or principal.agency == row["lead_agency"]
    if instance is None:
        _, instance = load_instance(uow, instance_id, rules, row["updated_at"], writing=False)
    return instance_view(row, instance, tasks, uow.journal.history(instance_id), principal, full)
