"""Render the JSON body agencies receive: ``type``, ``occurred_at`` and ``data``.

``data`` carries the accountable agency, the due date, a link to the API resource, a
snapshot of the instance (and of the task, for task events) taken when the event is relayed,
normally a moment after it occurred, and ``detail``: the event's own fields as audited.
"""

import json
from datetime import datetime

from engine.views import iso, task_view

PING_TYPE = "webhook.ping"
_OMITTED = ("instance_id", "occurred_at")


def recipients(event: dict, lead_agency: str | None) -> set[str]:
    """Name the agencies an event goes to: the task's agency and the instance's lead agency.

    An event about no instance (a published report) names its ``audience`` itself.
    """
    return {a for a in (event.get("agency"), lead_agency, *event.get("audience", ())) if a}


def task_snapshot(row) -> dict:
    """Describe a task as the API shows it, without its form data, which stays in the API."""
    return {k: v for k, v in task_view(row).items() if k != "data"}


def instance_snapshot(row) -> dict:
    """Describe an instance without its variables, which only its participants may read."""
    return {
        "id": row["id"], "process_id": row["process_id"],
        "process_version": row["process_version"], "status": row["status"],
        "lead_agency": row["lead_agency"], "created_at": iso(row["created_at"]),
        "ended_at": iso(row["ended_at"]),
    }


def event_body(outbox_row, instance_row, task_row, public_url: str) -> str:
    """Render the body announcing one outbox event."""
    detail = {k: v for k, v in outbox_row["payload"].items() if k not in _OMITTED}
    data = {
        "agency": detail.get("agency") or (instance_row["lead_agency"] if instance_row else None),
        "due_at": iso(task_row["due_at"]) if task_row else detail.get("due_at"),
        "link": _link(public_url, outbox_row["payload"], task_row),
        "instance": instance_snapshot(instance_row) if instance_row else None,
    }
    if task_row is not None:
        data["task"] = task_snapshot(task_row)
    data["detail"] = detail
    return _dump(outbox_row["type"], outbox_row["occurred_at"], data)


def ping_body(subscription_id: str, agency: str, now: datetime) -> str:
    """Render the body of a test ping."""
    data = {"subscription_id": subscription_id, "agency": agency,
            "message": "Thử kết nối webhook từ Đúng hạn"}
    return _dump(PING_TYPE, now, data)


def _link(public_url: str, event: dict, task_row) -> str:
    if event.get("link_path"):
        return f"{public_url}{event['link_path']}"
    if task_row is not None:
        return f"{public_url}/api/v1/tasks/{task_row['id']}"
    if event.get("code"):  # a dossier event points at the dossier, by its public code
        return f"{public_url}/api/v1/dossiers/{event['code']}"
    return f"{public_url}/api/v1/instances/{event['instance_id']}"


def _dump(event_type: str, occurred_at: datetime, data: dict) -> str:
    body = {"type": event_type, "occurred_at": iso(occurred_at), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
