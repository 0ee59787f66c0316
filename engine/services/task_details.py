"""Describe tasks for their pages: what each is about, its form, what it shows, who may do what.

Also the deadline requests an agency asked or must decide, each with the task it concerns.
"""

from engine import policy
from engine.errors import NotFound
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.policy import Action, Resource
from engine.services.inbox import inbox_item
from engine.services.tasks import task_resource
from engine.store.deadline_requests import PENDING
from engine.store.uow import UnitOfWork
from engine.views import deadline_request_view


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
        asked = [deadline_request_view(r) for r in uow.requests.for_task(task_id)]
        members = _members(uow, row["agency_code"]) if can["reassign"] else []
        agencies = [(a["code"], a["name"]) for a in uow.directory.agencies()]
    form = forms.get(row["form"]) if row["form"] else None
    can["ask"] = can["ask"] and row["deadline"] is not None
    return {**inbox_item(row), "form_schema": form.schema if form else None,
            "form_title": form.title if form else None, "labels": _labels(forms.values()),
            "can": can, "requests": asked, "members": members, "agencies": agencies}


def deadline_requests_page(uow: UnitOfWork, principal: Principal, state: str | None) -> list[dict]:
    """List the requests the principal's agency asked or must decide, each with its task.

    ``can_decide`` says whether this person may approve or refuse it now (a head of the
    approving agency, other than whoever asked).
    """
    agency = None if policy.reads_all(principal) else principal.agency
    with uow:
        rows = uow.requests.search(agency, state)
        items = []
        for r in rows:
            task = uow.inbox.item(r["task_id"])
            may = policy.may(principal, Action.DECIDE_DEADLINE_REQUEST, Resource(r["approver_agency"]))
            items.append({**deadline_request_view(r), "task": inbox_item(task),
                          "can_decide": may and r["state"] == PENDING
                          and r["asked_by"] != principal.subject})
    return items


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
        "ask": is_open and policy.may(principal, Action.ACT_ON_TASK, resource),
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
