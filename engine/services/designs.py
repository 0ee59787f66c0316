"""What a process designer does before and while deploying: lint, simulate, compare, import.

Each works on a draft the designer has not deployed: the XML the browser's modeler holds, or
a file made in Camunda Modeler or bpmn.io. Deploying itself is `deploy_process`.
"""

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from engine import camunda, policy
from engine.bpmn_diff import diff_documents
from engine.calendar import WorkCalendar
from engine.clock import Clock
from engine.errors import InvalidBpmn, NotFound
from engine.identity import Principal
from engine.library import parse_definition, read_form_files
from engine.schedule import simulate
from engine.services.processes import deploy_process
from engine.store.uow import UnitOfWork
from engine.views import iso


def require_designer(principal: Principal) -> None:
    """Refuse anyone who may not deploy processes: only they see drafts."""
    policy.require(principal, policy.Action.DEPLOY_PROCESS)


def lint_draft(principal: Principal, bpmn: bytes, form_library: Path) -> dict:
    """Check a draft exactly as deploying it would; raise InvalidBpmn naming each element."""
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    definition = parse_definition(bpmn, None, read_form_files(form_library))
    return {"process_id": definition.process_id, "name": definition.name,
            "forms": sorted(definition.forms), "problems": []}


def simulate_schedule(principal: Principal, bpmn: bytes, start: datetime,
                      variables: Mapping[str, Any], calendar: WorkCalendar) -> dict:
    """Return the due dates a draft's steps get from ``start`` on the working calendar."""
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    return simulate(bpmn, calendar.assume_local(start), variables, calendar)


def diff_with_deployed(uow: UnitOfWork, principal: Principal, process_id: str, bpmn: bytes) -> dict:
    """Compare a draft with the latest deployed version of its process."""
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    with uow:
        latest = uow.processes.latest(process_id)
    if latest is None:
        raise NotFound(f"Không có quy trình '{process_id}'")
    return {"process_id": process_id, "version": latest["version"],
            **diff_documents(latest["bpmn_xml"].encode(), bpmn)}


def import_file(uow: UnitOfWork, clock: Clock, principal: Principal, bpmn: bytes,
                form_library: Path) -> dict:
    """Deploy a file from another modeler, carrying its Camunda settings over where they map.

    A refused file raises InvalidBpmn with the import notes attached, so the designer reads
    both what was carried over and why the engine refuses the rest.
    """
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    translated, notes = camunda.translate(bpmn)
    shown = [{"element_id": n.element_id, "text": n.text, "kept": n.kept} for n in notes]
    try:
        version, created = deploy_process(uow, clock, principal, translated,
                                          form_library=form_library)
    except InvalidBpmn as err:
        err.notes = shown
        raise
    return {**version, "created": created, "notes": shown}


def process_overview(uow: UnitOfWork, principal: Principal) -> list[dict]:
    """List every process with all its versions and the instances running on each."""
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    with uow:
        running = uow.instances.running_per_version()
        summaries = uow.processes.summaries()
        versions = {s["process_id"]: uow.processes.versions(s["process_id"]) for s in summaries}
    return [{"process_id": s["process_id"], "name": s["name"], "latest_version": s["version"],
             "running": sum(running.get((s["process_id"], v["version"]), 0)
                            for v in versions[s["process_id"]]),
             "versions": [{"version": v["version"], "deployed_at": iso(v["deployed_at"]),
                           "deployed_by": v["deployed_by"],
                           "running": running.get((s["process_id"], v["version"]), 0)}
                          for v in reversed(versions[s["process_id"]])]}
            for s in summaries]


def deployed_document(uow: UnitOfWork, principal: Principal, process_id: str,
                      version: int | None = None) -> dict:
    """Return a deployed version's BPMN text, the latest unless a version is named."""
    policy.require(principal, policy.Action.DEPLOY_PROCESS)
    with uow:
        row = (uow.processes.document(process_id, version) if version
               else uow.processes.latest(process_id))
    if row is None:
        raise NotFound(f"Không có quy trình '{process_id}'"
                       + (f" phiên bản {version}" if version else ""))
    return {"process_id": process_id, "version": row["version"], "name": row["name"],
            "bpmn_xml": row["bpmn_xml"]}
