"""Gather what an instance's page shows: its diagram marked by progress, hand-offs, due dates, audit.

Who sees what follows ``instance_view``: the lead agency and readers of every agency see the
whole instance; a dossier's desk and handling agency see the whole dossier, as its control
sheet (form 05) shows them; any other agency that works on the instance sees only its own
steps. Nobody sees what a step's form collected here: the page shows facts of timing, not
answers.
"""

from datetime import datetime

from engine import policy
from engine.clock import Clock
from engine.diagram import steps_in_order, with_diagram
from engine.errors import NotFound
from engine.identity import Principal
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.deadlines import explain_deadline
from engine.services.documents import agency_facts, handoffs, in_handoff_order, person_name
from engine.services.persistence import load_instance
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import audit_view, iso

NOT_FOUND = "Không tìm thấy hồ sơ"
STATUS_CHANGED = "dossier.status_changed"


def instance_overview(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str,
                      rules: Rules | None = None) -> dict:
    """Return an instance's page facts to a principal allowed to read the instance."""
    rules, now = rules or default_rules(), clock.now()
    with uow:
        row, tasks, dossier = _readable(uow, principal, instance_id)
        full = _sees_all(principal, row, dossier)
        _, instance = load_instance(uow, instance_id, rules, now)
        version = uow.processes.get(row["process_version_id"])
        history = uow.journal.history(instance_id)
        shown = in_handoff_order([t for t in tasks if full or t["agency_code"] == principal.agency],
                                 history)
        own = {t["id"] for t in shown}
        first = agency_facts(uow, dossier["desk_agency"] if dossier else row["lead_agency"])
        timeline = handoffs(uow, shown, rules.calendar.tz, {"agency": first["name"], "person": None})
        lead = agency_facts(uow, row["lead_agency"])
        names = {h["actor"]: person_name(uow, h["actor"]) for h in history}
    late = {t["id"] for t in overdue_tasks(shown, now)}
    drawn = with_diagram(version["bpmn_xml"].encode())
    return {
        "id": instance_id, "process_id": row["process_id"], "process_name": version["name"],
        "process_version": row["process_version"], "status": instance.status,
        "lead_agency": lead, "created_at": iso(row["created_at"]), "ended_at": iso(row["ended_at"]),
        "dossier_code": dossier["code"] if dossier else None, "sees_all": full,
        "marks": element_marks(instance, shown, now, full),
        "steps": steps_in_order(drawn),
        "timeline": [_handoff_view(uow, principal, h, rules, late) for h in timeline],
        # Of an event's detail only a dossier status's label is shown: a step's detail may
        # hold what its form collected.
        "history": [_event_view(h, names) for h in history if full or h["task_id"] in own],
    }


def instance_diagram(uow: UnitOfWork, principal: Principal, instance_id: str) -> bytes:
    """Return the BPMN document of the instance's version, drawn if it came without a diagram."""
    with uow:
        row, _, _ = _readable(uow, principal, instance_id)
        xml = uow.processes.get(row["process_version_id"])["bpmn_xml"]
    return with_diagram(xml.encode())


def element_marks(instance, tasks: list, now: datetime, full: bool) -> dict[str, str]:
    """Mark each BPMN element ``completed``, ``current`` or ``overdue`` (the last wins).

    Whoever sees the whole instance sees where the run stands; an agency that sees only its
    own steps sees only their marks.
    """
    if full:
        passed, current = instance.reached_elements()
    else:
        passed = {t["bpmn_id"] for t in tasks if t["completed_at"] is not None}
        current = {t["bpmn_id"] for t in tasks if t["state"] == "open"}
    overdue = {t["bpmn_id"] for t in overdue_tasks(tasks, now)}
    return (dict.fromkeys(sorted(passed), "completed") | dict.fromkeys(sorted(current), "current")
            | dict.fromkeys(sorted(overdue), "overdue"))


def overdue_tasks(tasks: list, now: datetime) -> list:
    """Return the open steps past their due instant whose clock is running."""
    return [t for t in tasks if t["state"] == "open" and t["due_at"] is not None
            and t["paused_at"] is None and t["due_at"] < now]


def _readable(uow, principal: Principal, instance_id: str):
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=1000))
    dossier = uow.dossiers.by_instance(instance_id)
    participants = frozenset(t["agency_code"] for t in tasks)
    if dossier:  # the handling agency may read its dossier before its first step opens
        participants |= {dossier["agency_code"]}
    policy.require(principal, Action.READ_INSTANCE, Resource(lead_agency=row["lead_agency"],
                                                             participants=participants))
    return row, tasks, dossier


def _sees_all(principal: Principal, row, dossier) -> bool:
    keepers = {row["lead_agency"]} | ({dossier["agency_code"], dossier["desk_agency"]} if dossier else set())
    return policy.reads_all(principal) or principal.agency in keepers


def _handoff_view(uow, principal: Principal, handoff: dict, rules: Rules, late: set) -> dict:
    """Add to a hand-off of form 05 its due date's explanation and whether it is overdue now."""
    instants = {k: iso(handoff[k]) for k in ("received_at", "due_at", "completed_at")}
    return {**handoff, **instants, "overdue": handoff["task_id"] in late,
            "explanation": _explanation(uow, principal, handoff, rules)}


def _event_view(event, names: dict) -> dict:
    status = (event["detail"] or {}).get("label") if event["type"] == STATUS_CHANGED else None
    return {**audit_view(event), "actor_name": names[event["actor"]] or _actor(event["actor"]),
            "status_label": status}


def _actor(actor: str) -> str:
    """Name an actor no user stands behind: the system, or an agency's own software."""
    if actor.startswith("token:"):
        return "Phần mềm của cơ quan (mã truy cập API)"
    return "Hệ thống" if actor == "system" else actor


def _explanation(uow, principal: Principal, handoff: dict, rules: Rules) -> str | None:
    """Explain a step's due date to whoever may read the step (its agency, readers of all)."""
    if handoff["due_at"] is None or not policy.may(principal, Action.READ_TASK,
                                                   Resource(handoff["agency_code"])):
        return None
    return explain_deadline(uow, principal, handoff["task_id"], rules)["explanation_vi"]
