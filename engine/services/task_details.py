"""Describe one task for its page: what it is about, its form, what it shows, who may do what."""

from engine import policy
from engine.errors import NotFound
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.policy import Action, Resource
from engine.services.inbox import inbox_item
from engine.services.tasks import task_resource
from engine.store.uow import UnitOfWork

# The deadline ledger's kind for an extension (engine.deadlines.ChangeKind.EXTENDED).
EXTENDED = "extended"


def describe_task(uow: UnitOfWork, principal: Principal, task_id: str) -> dict:
    """Return a task with its context, form schema, labels of what it shows, and allowed actions."""
    with uow:
        row = uow.inbox.item(task_id)
        if row is None:
            raise NotFound("Không tìm thấy nhiệm vụ")
        policy.require(principal, Action.READ_TASK, Resource(row["agency_code"]))
        version_id = uow.instances.get(row["instance_id"])["process_version_id"]
        forms = uow.processes.compiled(version_id).forms
        can = _allowed(principal, row)
        extended = any(c["kind"] == EXTENDED for c in uow.ledger.for_task(task_id))
        members = _members(uow, row["agency_code"]) if can["reassign"] else []
        agencies = [(a["code"], a["name"]) for a in uow.directory.agencies()]
    form = forms.get(row["form"]) if row["form"] else None
    can["extend"] = can["extend"] and not extended and row["deadline"] is not None
    return {**inbox_item(row), "form_schema": form.schema if form else None,
            "form_title": form.title if form else None, "labels": _labels(forms.values()),
            "can": can, "extended": extended, "members": members, "agencies": agencies}


def _allowed(principal: Principal, row) -> dict[str, bool]:
    resource, own = task_resource(row), Resource(row["agency_code"])
    is_open = row["state"] == TaskStatus.OPEN
    claimed, mine = row["claimed_by"] is not None, row["claimed_by"] == principal.user_id
    return {
        "complete": is_open and policy.may(principal, Action.ACT_ON_TASK, resource),
        "claim": is_open and not mine and not claimed
        and policy.may(principal, Action.CLAIM_TASK, own),
        "release": is_open and claimed and policy.may(principal, Action.ACT_ON_TASK, resource),
        "reassign": is_open and policy.may(principal, Action.REASSIGN_TASK, own),
        "extend": is_open and policy.may(principal, Action.EXTEND_DEADLINE, own),
    }


def _members(uow, agency: str) -> list[tuple[str, str]]:
    return [(u["id"], u["full_name"]) for u in uow.directory.users(agency) if u["active"]]


def _labels(forms) -> dict[str, str]:
    """Name each variable by the title its writing form gives the field of that name."""
    labels = {}
    for form in forms:
        for name, spec in form.schema.get("properties", {}).items():
            if isinstance(spec, dict) and spec.get("title"):
                labels.setdefault(name, spec["title"])
    return labels
