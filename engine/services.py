"""Use cases: each runs in one unit of work and commits state, tasks, audit and outbox together."""

import uuid
from pathlib import Path

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Invalid, NotFound
from engine.forms import FormContext, validate_submission
from engine.identity import SYSTEM, Principal
from engine.instances import InstanceStatus, ProcessInstance, TaskStatus
from engine.library import ProcessDefinition, load_directory, parse_definition
from engine.scripting import SandboxScriptEngine
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import instance_view, task_view, version_view

PROVINCIAL_OFFICE_KIND = "van_phong_ubnd_tinh"
MAX_VARIABLES = 100


def script_engine() -> SandboxScriptEngine:
    """Build the sandboxed engine attached to every workflow on start and on each load."""
    return SandboxScriptEngine()


def deploy_process(uow: UnitOfWork, clock: Clock, principal: Principal, bpmn: bytes,
                   expected_id: str | None = None) -> tuple[dict, bool]:
    """Store a BPMN document as a new version unless the same bytes are already deployed."""
    policy.require_deploy(principal)
    definition = parse_definition(bpmn, expected_id)
    with uow:
        result = _deploy(uow, clock, principal, definition)
        uow.commit()
    return result


def load_process_directory(uow: UnitOfWork, clock: Clock, directory: Path) -> list[dict]:
    """Deploy every BPMN file of a directory at start-up; unchanged files keep their version."""
    definitions = load_directory(directory)
    with uow:
        deployed = [_deploy(uow, clock, SYSTEM, d)[0] for d in definitions]
        uow.commit()
    return deployed


def _deploy(uow, clock, principal, definition: ProcessDefinition) -> tuple[dict, bool]:
    existing = uow.processes.find_by_hash(definition.process_id, definition.content_hash)
    if existing:
        return version_view(existing), False
    latest = uow.processes.latest(definition.process_id)
    row = dict(
        process_id=definition.process_id,
        version=(latest["version"] + 1) if latest else 1,
        name=definition.name,
        content_hash=definition.content_hash,
        bpmn_xml=definition.bpmn_xml,
        spec_json=definition.spec_json,
        deployed_at=clock.now(),
        deployed_by=principal.subject,
    )
    row["id"] = uow.processes.add(**row)
    return version_view(row), True


def list_processes(uow: UnitOfWork) -> list[dict]:
    """List every process with its latest version."""
    with uow:
        return [version_view(r) for r in uow.processes.summaries()]


def get_process(uow: UnitOfWork, process_id: str) -> dict:
    """Describe one process and all its versions."""
    with uow:
        versions = uow.processes.versions(process_id)
    if not versions:
        raise NotFound(f"Không có quy trình '{process_id}'")
    return {"process_id": process_id, "name": versions[-1]["name"],
            "latest_version": versions[-1]["version"], "versions": [version_view(v) for v in versions]}


def start_instance(uow: UnitOfWork, clock: Clock, principal: Principal, process_id: str,
                   variables: dict) -> dict:
    """Start the latest version of a process on behalf of the caller's agency (the lead)."""
    policy.require_start(principal)
    _check_variables(variables)
    now = clock.now()
    with uow:
        version = uow.processes.latest(process_id)
        if version is None:
            raise NotFound(f"Không có quy trình '{process_id}'")
        seeded = {**variables, "lead_agency": principal.agency,
                  "provincial_office": _provincial_office(uow)}
        instance = ProcessInstance.start(
            str(uuid.uuid4()), process_id, version["version"],
            uow.processes.compiled(version["id"]), script_engine(), seeded, now, principal.subject,
        )
        uow.instances.add(
            id=instance.id, process_version_id=version["id"], process_id=process_id,
            process_version=version["version"],
            status=instance.status, state_json=instance.dump(), lead_agency=principal.agency,
            started_by=principal.subject, created_at=now, updated_at=now,
            ended_at=now if instance.status != InstanceStatus.RUNNING else None,
        )
        _publish(uow, instance, now)
        view = _instance_view(uow, principal, instance.id, instance)
        uow.commit()
    return view


def complete_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                  data: dict) -> dict:
    """Complete an agency's task with its form data and run the process on."""
    now = clock.now()
    with uow:
        task = _task_row(uow, task_id)
        policy.require_act_on_task(principal, task["agency_code"])
        if task["state"] != TaskStatus.OPEN:
            raise Conflict("Nhiệm vụ đã được xử lý")
        row, instance = _load(uow, task["instance_id"])
        ctx = FormContext(uow.directory.agency_codes(), row["lead_agency"])
        cleaned = validate_submission(task["form"], data, ctx)
        instance.complete_task(task_id, cleaned, now, principal.subject)
        _save(uow, row, instance, now)
        view = task_view(uow.tasks.get(task_id))
        view["instance_status"] = instance.status
        uow.commit()
    return view


def cancel_instance(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str,
                    reason: str) -> dict:
    """Cancel a running instance and withdraw its open tasks."""
    now = clock.now()
    with uow:
        row, instance = _load(uow, instance_id)
        policy.require_cancel(principal, row["lead_agency"])
        instance.cancel(now, principal.subject, reason)
        _save(uow, row, instance, now)
        view = _instance_view(uow, principal, instance_id, instance)
        uow.commit()
    return view


def get_instance(uow: UnitOfWork, principal: Principal, instance_id: str) -> dict:
    """Show an instance to a principal allowed to see it."""
    with uow:
        return _instance_view(uow, principal, instance_id)


def get_task(uow: UnitOfWork, principal: Principal, task_id: str) -> dict:
    """Show one task to its agency or to a reader of all agencies."""
    with uow:
        task = _task_row(uow, task_id)
        policy.require_read_agency(principal, task["agency_code"])
        return task_view(task)


def list_tasks(uow: UnitOfWork, principal: Principal, query: TaskQuery) -> tuple[list[dict], int]:
    """List tasks; an agency sees only its own unless it reads all agencies."""
    if query.agency:
        policy.require_read_agency(principal, query.agency)
    elif not policy.reads_all(principal):
        query = TaskQuery(**{**query.__dict__, "agency": principal.agency})
    with uow:
        rows, total = uow.tasks.search(query)
    return [task_view(r) for r in rows], total


def _check_variables(variables: dict) -> None:
    if len(variables) > MAX_VARIABLES:
        raise Invalid(f"Không quá {MAX_VARIABLES} biến")
    bad = {k: "Tên biến không hợp lệ" for k in variables if not k.isidentifier() or k.startswith("_")}
    reserved = {k: "Biến do hệ thống đặt" for k in variables if k in ("lead_agency", "provincial_office")}
    if bad or reserved:
        raise Invalid("Biến khởi tạo không hợp lệ", {**bad, **reserved})


def _provincial_office(uow) -> str | None:
    codes = [a["code"] for a in uow.directory.agencies() if a["kind"] == PROVINCIAL_OFFICE_KIND]
    return codes[0] if codes else None


def _task_row(uow, task_id: str):
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound("Không tìm thấy nhiệm vụ")
    return task


def _load(uow, instance_id: str):
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ")
    compiled = uow.processes.compiled(row["process_version_id"])
    instance = ProcessInstance.load(row["id"], row["process_id"], row["process_version"],
                                    row["state_json"], compiled, script_engine(), row["status"])
    return row, instance


def _save(uow, row, instance: ProcessInstance, now) -> None:
    ended = now if instance.status != InstanceStatus.RUNNING else None
    uow.instances.save(row["id"], row["version"], state_json=instance.dump(),
                       status=instance.status, updated_at=now, ended_at=ended)
    _publish(uow, instance, now)


def _publish(uow, instance: ProcessInstance, now) -> None:
    """Project the instance's events onto the task table, the audit log and the outbox."""
    open_by_id = {t.id: t for t in instance.open_tasks()}
    for event in instance.events:
        if event.type == "task.assigned":
            t = open_by_id[event.task_id]
            uow.tasks.add(id=t.id, instance_id=instance.id, bpmn_id=t.bpmn_id, name=t.name,
                          lane=t.lane, agency_code=t.agency, form=t.form, created_at=now,
                          data=_json_safe(t.data))
        elif event.type == "task.completed":
            uow.tasks.close(event.task_id, TaskStatus.COMPLETED, completed_at=now,
                            completed_by=event.actor, data=_json_safe(event.data))
        elif event.type == "task.withdrawn":
            uow.tasks.close(event.task_id, TaskStatus.WITHDRAWN, completed_at=now)
        uow.journal.record(event)
    instance.events.clear()


def _json_safe(data: dict) -> dict:
    return {k: v for k, v in data.items() if isinstance(v, (str, int, float, bool, list, dict, type(None)))}


def _instance_view(uow, principal: Principal, instance_id: str, instance=None) -> dict:
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ")
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=1000))
    policy.require_read_instance(principal, row["lead_agency"], {t["agency_code"] for t in tasks})
    full = policy.reads_all(principal) or principal.agency == row["lead_agency"]
    if instance is None:
        _, instance = _load(uow, instance_id)
    return instance_view(row, instance, tasks, uow.journal.history(instance_id), principal, full)
