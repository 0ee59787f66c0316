"""Receive, list, read, withdraw, stop and apologise for TTHC dossiers; load the procedure catalog."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from engine import policy
from engine.catalog import LOCALITY, Procedure, load_catalog
from engine.clock import Clock
from engine.dossiers import Dossier, DossierStatus, is_code, mask_name, public_code
from engine.errors import Forbidden, Invalid, NotFound
from engine.identity import Principal
from engine.instances import InstanceStatus
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.dossier_status import CODE_VARIABLE, load_dossier, save_dossier
from engine.services.instances import create_instance
from engine.services.persistence import load_instance, save_instance
from engine.store.dossiers import DossierQuery, to_dossier
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import iso, task_view

COMMUNE_KIND = "ubnd_xa_phuong"
NOT_FOUND = "Không tìm thấy hồ sơ với mã này"


@dataclass(frozen=True)
class Receipt:
    """What the desk types in when a citizen hands over a dossier."""

    procedure_code: str
    applicant: dict
    channel: str = "paper"
    locality: str | None = None
    documents: list = field(default_factory=list)
    note: str = ""


def load_catalog_directory(uow: UnitOfWork, clock: Clock, directory: Path) -> list[dict]:
    """Store every catalog file as a version unless the same bytes are stored already."""
    entries = load_catalog(directory)
    with uow:
        views = []
        for e in entries:
            row = uow.catalog.find_by_hash(e.procedure.code, e.content_hash)
            if row is None:
                latest = uow.catalog.latest(e.procedure.code)
                row = dict(code=e.procedure.code, version=(latest["version"] + 1) if latest else 1,
                           name=e.procedure.name, content_hash=e.content_hash,
                           definition=e.procedure.to_json(), loaded_at=clock.now())
                uow.catalog.add(**row)
            views.append(procedure_view(row))
        uow.commit()
    return views


def list_procedures(uow: UnitOfWork) -> list[dict]:
    """List the latest version of every procedure in the catalog."""
    with uow:
        return [procedure_view(r) for r in uow.catalog.summaries()]


def procedure_view(row) -> dict:
    """Describe one catalog version: its figures and the version number dossiers keep."""
    return {**row["definition"], "version": row["version"], "content_hash": row["content_hash"]}


def receive_dossier(uow: UnitOfWork, clock: Clock, principal: Principal, receipt: Receipt,
                    rules: Rules | None = None, province: str = "BN") -> dict:
    """Register a dossier at the one-stop desk and start the process its procedure names."""
    now, rules = clock.now(), rules or default_rules()
    with uow:
        version = uow.catalog.latest(receipt.procedure_code)
        if version is None:
            raise Invalid(f"Không có thủ tục mã '{receipt.procedure_code}' trong danh mục",
                          {"procedure_code": "Mã thủ tục không có trong danh mục"})
        procedure = Procedure.from_json(version["definition"])
        agency, desk = _agencies(uow, principal, procedure)
        policy.require(principal, Action.RECEIVE_DOSSIER, Resource(agency=desk))
        _check_receipt(uow, procedure, receipt)
        process = uow.processes.latest(procedure.process)
        if process is None:
            raise Invalid(f"Quy trình '{procedure.process}' của thủ tục chưa được triển khai")
        local_day = now.astimezone(rules.calendar.tz).date()
        prefix = f"{province}-{agency}-{local_day:%y%m%d}"
        code = public_code(province, agency, local_day, uow.dossiers.next_number(prefix))
        variables = _variables(uow, procedure, receipt, code, agency, desk)

        def store(instance) -> None:
            dossier = Dossier.submit(code, instance.id, procedure.code,
                                     procedure.total_working_days, agency, now, principal.subject)
            uow.dossiers.add(dossier, code=code, instance_id=instance.id,
                             procedure_version_id=version["id"], procedure_code=procedure.code,
                             agency_code=agency, desk_agency=desk, applicant=receipt.applicant,
                             channel=receipt.channel, submitted_at=now, updated_at=now)
            uow.journal.record_all(dossier.events)

        create_instance(uow, principal, str(uuid.uuid4()), process, variables, rules, now,
                        before_publish=store)
        view = _view(uow, uow.dossiers.get(code), now)
        uow.commit()
    return view


def desk_procedures(uow: UnitOfWork, principal: Principal) -> list[dict]:
    """List the catalog procedures the principal's one-stop desk receives; refuse anyone else."""
    with uow:
        own = uow.directory.agency(principal.agency) if principal.agency else None
        rows = uow.catalog.summaries()
    mine = [procedure_view(r) for r in rows
            if policy.may(principal, Action.RECEIVE_DOSSIER,
                          Resource(agency=_desk(Procedure.from_json(r["definition"]), own)))]
    if not mine:
        raise Forbidden(policy.REFUSALS[Action.RECEIVE_DOSSIER])
    return mine


def _desk(procedure: Procedure, own) -> str | None:
    """Return the desk that receives a procedure: a commune receives its own commune procedures."""
    if procedure.level == "xa":
        return own["code"] if own is not None and own["kind"] == COMMUNE_KIND else None
    return procedure.desk or procedure.agency


def _agencies(uow, principal: Principal, procedure: Procedure) -> tuple[str, str]:
    """Return the handling agency and the desk: a commune handles its own commune procedures."""
    desk = _desk(procedure, uow.directory.agency(principal.agency) if principal.agency else None)
    if desk is None:
        raise Forbidden("Thủ tục cấp xã chỉ được tiếp nhận tại UBND cấp xã")
    return (desk if procedure.level == "xa" else procedure.agency), desk


def _check_receipt(uow, procedure: Procedure, receipt: Receipt) -> None:
    errors = {}
    if receipt.channel not in procedure.channels:
        errors["channel"] = f"Thủ tục nhận qua các kênh: {', '.join(procedure.channels)}"
    if any(s.agency == LOCALITY for s in procedure.steps):
        commune = uow.directory.agency(receipt.locality) if receipt.locality else None
        if commune is None or commune["kind"] != COMMUNE_KIND:
            errors["locality"] = "Thủ tục liên thông cần mã UBND cấp xã nơi có đất (locality)"
    if errors:
        raise Invalid("Hồ sơ tiếp nhận chưa hợp lệ", errors)


def _variables(uow, procedure: Procedure, receipt: Receipt, code: str, agency: str,
               desk: str) -> dict:
    links = [{"step": s.id, "name": s.name, "hours": float(s.working_days) * 8,
              "agency": receipt.locality if s.agency == LOCALITY else s.agency}
             for s in procedure.steps]
    unknown = sorted({link["agency"] for link in links if link["agency"]}
                     - uow.directory.agency_codes())
    if unknown and procedure.process == "tthc_lien_thong":
        raise Invalid(f"Danh mục nêu cơ quan không có trong danh bạ: {', '.join(unknown)}")
    return {CODE_VARIABLE: code, "procedure_code": procedure.code, "procedure_name": procedure.name,
            "handling_agency": agency, "desk_agency": desk, "fee_required": procedure.fee,
            "slice_hours": procedure.slice_hours(), "links": links,
            "received_documents": list(receipt.documents), "receipt_note": receipt.note,
            "pre_supplement_asked": False, "fees_due": False}


def get_dossier(uow: UnitOfWork, clock: Clock, principal: Principal, code: str) -> dict:
    """Show a dossier to its desk, its handling agency, an agency working on it, or a reader of all."""
    with uow:
        row = dossier_row(uow, code)
        require_dossier(uow, principal, Action.READ_DOSSIER, row)
        return _view(uow, row, clock.now())


def list_dossiers(uow: UnitOfWork, clock: Clock, principal: Principal,
                  query: DossierQuery) -> tuple[list, int]:
    """List dossiers; an agency sees those it handles unless it reads every agency's."""
    if query.agency and query.agency != principal.agency and not policy.reads_all(principal):
        raise Forbidden("Không được xem hồ sơ của cơ quan khác")
    if not query.agency and not policy.reads_all(principal):
        query = replace(query, agency=principal.agency)
    with uow:
        rows, total = uow.dossiers.search(replace(query, now=clock.now()))
        return [_summary(r, clock.now()) for r in rows], total


def desk_dossiers(uow: UnitOfWork, clock: Clock, principal: Principal,
                  query: DossierQuery) -> dict:
    """List one page of a one-stop desk's dossiers and count them in each status."""
    desk_procedures(uow, principal)  # refuses whoever receives no procedure
    items, total = list_dossiers(uow, clock, principal, replace(query, agency=principal.agency))
    with uow:
        counts = uow.dossiers.status_counts(principal.agency)
    return {"items": items, "total": total,
            "counts": [{"status": int(s), "label": s.label, "count": counts.get(int(s), 0)}
                       for s in DossierStatus]}


def lookup_dossier(uow: UnitOfWork, clock: Clock, code: str) -> dict:
    """Answer the public lookup: no sign-in, nothing personal beyond a masked name.

    A malformed code and an unknown one get the same NotFound, so codes cannot be probed.
    """
    if not is_code(code):
        raise NotFound(NOT_FOUND)
    with uow:
        row = uow.dossiers.get(code)
        if row is None:
            raise NotFound(NOT_FOUND)
        version = uow.catalog.get(row["procedure_version_id"])
        agency = uow.directory.agency(row["agency_code"])
    status = DossierStatus(row["status"])
    return {"code": row["code"], "procedure_code": row["procedure_code"],
            "procedure_name": version["definition"]["name"],
            "agency_name": agency["name"] if agency else row["agency_code"],
            "applicant": mask_name(row["applicant"].get("name", "")),
            "status": int(status), "status_label": status.label,
            "received_at": iso(row["received_at"]), "promised_at": iso(row["promised_at"]),
            "finished_at": iso(row["finished_at"])}


def withdraw_dossier(uow: UnitOfWork, clock: Clock, principal: Principal, code: str, reason: str,
                     rules: Rules | None = None) -> dict:
    """Close a dossier the applicant asked to withdraw (status 7), at any point."""
    return _end(uow, clock, principal, code, reason, rules, Action.WITHDRAW_DOSSIER,
                DossierStatus.WITHDRAWN)


def stop_dossier(uow: UnitOfWork, clock: Clock, principal: Principal, code: str, reason: str,
                 rules: Rules | None = None) -> dict:
    """Stop handling a dossier (status 8), decided by the handling agency's head."""
    return _end(uow, clock, principal, code, reason, rules, Action.DECIDE_DOSSIER,
                DossierStatus.STOPPED)


def _end(uow, clock, principal, code, reason, rules, action, status) -> dict:
    now, rules = clock.now(), rules or default_rules()
    with uow:
        row = dossier_row(uow, code)
        require_dossier(uow, principal, action, row)
        dossier = load_dossier(uow, row)
        cal = rules.calendar.for_agency(dossier.agency)
        dossier.move_to(status, now, principal.subject, cal, reason)
        instance_row, instance = load_instance(uow, row["instance_id"], rules, now)
        if instance.status == InstanceStatus.RUNNING:
            instance.cancel(now, principal.subject, reason or status.label)
            save_instance(uow, instance_row, instance, rules, now)
        save_dossier(uow, row, dossier, now, cal)
        view = _view(uow, uow.dossiers.get(code), now)
        uow.commit()
    return view


def apologise(uow: UnitOfWork, clock: Clock, principal: Principal, code: str,
              new_promised_at: datetime, reason: str, rules: Rules | None = None) -> dict:
    """Issue the apology with a new return instant (form 04), once, approved by the agency head."""
    now, rules = clock.now(), rules or default_rules()
    with uow:
        row = dossier_row(uow, code)
        require_dossier(uow, principal, Action.DECIDE_DOSSIER, row)
        dossier = load_dossier(uow, row)
        cal = rules.calendar.for_agency(dossier.agency)
        dossier.apologise(new_promised_at, now, principal.subject, cal, reason)
        save_dossier(uow, row, dossier, now, cal)
        view = _view(uow, uow.dossiers.get(code), now)
        uow.commit()
    return view


def dossier_row(uow, code: str):
    """Load a dossier row by its public code; a malformed code is as unknown as a missing one."""
    row = uow.dossiers.get(code) if is_code(code) else None
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def require_dossier(uow, principal: Principal, action: Action, row) -> None:
    """Ask the policy whether the principal may act on the dossier (desk, handler, participants)."""
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=row["instance_id"], limit=1000))
    resource = Resource(agency=row["agency_code"], lead_agency=row["desk_agency"],
                        participants=frozenset(t["agency_code"] for t in tasks))
    if action == Action.DECIDE_DOSSIER:
        resource = Resource(agency=row["agency_code"])
    policy.require(principal, action, resource)


def _summary(row, now: datetime) -> dict:
    dossier = _from_row(row)
    status = DossierStatus(row["status"])
    return {"code": row["code"], "instance_id": row["instance_id"],
            "procedure_code": row["procedure_code"], "agency": row["agency_code"],
            "desk_agency": row["desk_agency"], "applicant": dict(row["applicant"]),
            "channel": row["channel"], "status": int(status), "status_label": status.label,
            "submitted_at": iso(row["submitted_at"]), "received_at": iso(row["received_at"]),
            "promised_at": iso(row["promised_at"]),
            "original_promised_at": iso(row["original_promised_at"]),
            "finished_at": iso(row["finished_at"]), "supplement_count": row["supplement_count"],
            "paused": row["paused_since"] is not None,
            "paused_working_hours": row["paused_seconds"] / 3600,
            "apologised_at": iso(row["apologised_at"]), "apology_missing": row["apology_missing"],
            "verdict": dossier.verdict(now)}


def _from_row(row) -> Dossier:
    """Rebuild the aggregate to judge it; the catalog total only matters at acceptance."""
    return to_dossier(row, 0)


def control_sheet(tasks: list, now: datetime) -> list[dict]:
    """Return the hand-offs of form 05: each step, its agency, when it came, was due and was done.

    ``timeliness`` is ``on_time`` or ``late`` for a finished step, ``in_time`` or ``overdue``
    for an open one, and ``no_deadline`` for a step that has none (the desk's receipt check, a
    wait for the applicant).
    """
    def timeliness(t) -> str:
        if t["due_at"] is None:
            return "no_deadline"
        if t["completed_at"] is not None:
            return "on_time" if t["completed_at"] <= t["due_at"] else "late"
        return "in_time" if t["paused_at"] is not None or now < t["due_at"] else "overdue"

    # Steps opened in the same step of the process come in the order they were finished.
    ordered = sorted(tasks, key=lambda t: (t["created_at"], t["completed_at"] is None,
                                           t["completed_at"] or t["created_at"], t["id"]))
    return [{"task_id": t["id"], "step": t["bpmn_id"], "name": t["name"], "agency": t["agency_code"],
             "state": t["state"], "received_at": iso(t["created_at"]), "due_at": iso(t["due_at"]),
             "completed_at": iso(t["completed_at"]), "completed_by": t["completed_by"],
             "timeliness": timeliness(t)} for t in ordered]


def _view(uow, row, now: datetime) -> dict:
    version = uow.catalog.get(row["procedure_version_id"])
    every, _ = uow.tasks.search(TaskQuery(instance_id=row["instance_id"], limit=1000))
    tasks = [t for t in every if t["state"] == "open"]
    history = [{"at": h["occurred_at"].isoformat(), "actor": h["actor"], "type": h["type"],
                **{k: h["detail"].get(k) for k in ("from_status", "to_status", "label", "reason")
                   if k in h["detail"]}}
               for h in uow.journal.history(row["instance_id"]) if h["type"].startswith("dossier.")]
    violations = [{"agency": v["agency_code"], "kind": v["kind"], "task_id": v["task_id"],
                   "at": v["occurred_at"].isoformat(), "responsible": v["responsible"],
                   "head_name": v["head_name"]}
                  for v in uow.violations.for_instance(row["instance_id"])]
    return {**_summary(row, now),
            "procedure": {**{k: version["definition"][k] for k in ("code", "name", "total_working_days")},
                          "version": version["version"]},
            "open_tasks": [task_view(t) for t in tasks], "history": history,
            "steps": control_sheet(every, now), "violations": violations}

