"""The public catalog: procedures for citizens, and the internal procedures agencies follow.

Everything here is published without sign-in, so it reads only what is public by nature: the
catalog files and the deployed process definitions, never an instance, a dossier or a person.
"""

from engine.catalog import CHANNELS, LEVELS, LOCALITY
from engine.diagram import with_diagram
from engine.errors import NotFound
from engine.publication import published_steps
from engine.store.uow import UnitOfWork

COMMUNE = "UBND xã, phường nơi nộp hồ sơ"
LOCAL_COMMUNE = "UBND xã, phường nơi có đất"
# What a step's ``agency`` expression means to a reader, when it names no fixed agency.
ROLES = {"agency": "Cơ quan được lấy ý kiến", "lead_agency": "Cơ quan chủ trì",
         "provincial_office": "Văn phòng UBND tỉnh", "assigned_agency": "Cơ quan được giao nhiệm vụ"}


def published_catalog(uow: UnitOfWork) -> dict:
    """List every procedure of the catalog and every internal procedure (deployed process)."""
    with uow:
        names = _agency_names(uow)
        procedures = [_summary(r["definition"], names) for r in uow.catalog.summaries()]
        processes = [{"process_id": r["process_id"], "name": r["name"], "version": r["version"]}
                     for r in uow.processes.summaries()]
    return {"procedures": procedures, "processes": processes}


def published_procedure(uow: UnitOfWork, code: str) -> dict:
    """Describe one procedure: documents to bring, time limit, and each step's agency and slice."""
    with uow:
        row = uow.catalog.latest(code)
        if row is None:
            raise NotFound(f"Không có thủ tục mã '{code}' trong danh mục")
        definition, names = row["definition"], _agency_names(uow)
        process = uow.processes.latest(definition["process"])
    published = published_steps(process["bpmn_xml"].encode()) if process else []
    # A step is named by its task or by the sub-process it runs in (a consultation); a chained
    # procedure's links all run as the process's one repeated step.
    bpmn = {**{s["within"]: s for s in published if s["within"]}, **{s["id"]: s for s in published}}
    link = next((s for s in published if s["agency_expression"] == 'link["agency"]'), None)
    steps = [_step(s, bpmn.get(s["id"], link), definition, names) for s in definition["steps"]]
    return {**_summary(definition, names), "legal_basis": definition.get("legal_basis", ""),
            "documents": definition["documents"], "steps": steps,
            "process": process and {"process_id": process["process_id"], "name": process["name"]}}


def published_process(uow: UnitOfWork, process_id: str) -> dict:
    """Describe one internal procedure: its steps, who does each, and each one's time limit."""
    with uow:
        process = uow.processes.latest(process_id)
        if process is None:
            raise NotFound(f"Không có quy trình '{process_id}'")
        names = _agency_names(uow)
        used_by = [_summary(r["definition"], names) for r in uow.catalog.summaries()
                   if r["definition"]["process"] == process_id]
    steps = [{**s, "who": s["lane"] or ROLES.get(s["agency_expression"], "")}
             for s in published_steps(process["bpmn_xml"].encode())]
    return {"process_id": process_id, "name": process["name"], "version": process["version"],
            "steps": steps, "procedures": used_by}


def published_diagram(uow: UnitOfWork, process_id: str) -> bytes:
    """Return the latest version of a process as BPMN, laid out if it came without a diagram."""
    with uow:
        process = uow.processes.latest(process_id)
    if process is None:
        raise NotFound(f"Không có quy trình '{process_id}'")
    return with_diagram(process["bpmn_xml"].encode())


def _agency_names(uow) -> dict[str, str]:
    return {a["code"]: a["name"] for a in uow.directory.agencies()}


def _summary(definition: dict, names: dict) -> dict:
    agency = definition.get("agency")
    return {"code": definition["code"], "name": definition["name"], "field": definition["field"],
            "level": LEVELS.get(definition["level"], definition["level"]),
            "agency": names.get(agency, agency) if agency else COMMUNE,
            "total_working_days": definition["total_working_days"], "fee": definition["fee"],
            "channels": [CHANNELS.get(c, c) for c in definition["channels"]]}


def _step(step: dict, bpmn: dict | None, definition: dict, names: dict) -> dict:
    """Say who does a catalog step and how long it has, in working days or hours."""
    code = step.get("agency") or {"desk_agency": definition.get("desk") or definition.get("agency"),
                                  "handling_agency": definition.get("agency")}.get(
        (bpmn or {}).get("agency_expression"))
    if code == LOCALITY:
        who = LOCAL_COMMUNE
    elif code:
        who = names.get(code, code)
    else:
        who = ROLES.get((bpmn or {}).get("agency_expression"), COMMUNE)
    days = float(step["working_days"])
    limit = f"{days:g} ngày làm việc" if days >= 1 else f"{days * 8:g} giờ làm việc"
    return {"name": step["name"], "agency": who, "lane": (bpmn or {}).get("lane"), "time_limit": limit,
            "working_days": days}
