"""Gather what a notification says, as plain JSON, when the event is fanned out.

The facts are fixed at that instant (the working days left are counted then), so every retry
and the digest render the same words. No personal data of citizens is kept: a dossier is
named by its code only, a consultation by its title.
"""

from datetime import datetime

from engine.calendar import WorkCalendar
from engine.escalation import hours_per_day
from engine.services.dossier_status import CODE_VARIABLE
from engine.views import iso

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def local_text(cal: WorkCalendar, at: datetime) -> str:
    """Write an instant in local time the way Vietnamese offices do: ``17:00 Thứ Năm 26/02/2026``."""
    local = at.astimezone(cal.tz)
    return f"{local:%H:%M} {WEEKDAYS[local.weekday()]} {local:%d/%m/%Y}"


def timing_text(cal: WorkCalendar, due: datetime | None, at: datetime) -> str:
    """Say how many working days are left before the due instant, or how late the task is."""
    if due is None:
        return "không có hạn"
    day = hours_per_day(cal).total_seconds()
    if at < due:
        left = cal.working_time_between(at, due).total_seconds()
        return f"còn {_amount(left, day)} làm việc"
    late = cal.working_time_between(due, at).total_seconds()
    return f"quá hạn {_amount(late, day)} làm việc" if late else "đã đến hạn, nay là quá hạn"


def _amount(seconds: float, day: float) -> str:
    if seconds >= day:
        days = round(seconds / day, 1)
        return f"{days:g} ngày".replace(".", ",")
    return f"{max(1, round(seconds / 3600))} giờ"


def instance_title(variables: dict, process_name: str) -> str:
    """Name an instance without personal data.

    A dossier by its code, an assigned task by its source document, else the request's title.
    """
    if code := variables.get(CODE_VARIABLE):
        procedure = variables.get("procedure_name")
        return f"Hồ sơ {code}" + (f" ({procedure})" if procedure else "")
    if source := variables.get("source_number"):
        return f"Nhiệm vụ giao tại văn bản {source}"
    title = variables.get("title")
    return str(title) if title else process_name


def gather(kind: str, task, instance, title: str, agencies: dict[str, str], cal: WorkCalendar,
           at: datetime, public_url: str, position: str | None = None) -> dict:
    """Return the facts of one event as its messages will tell them."""
    lead, agency = instance["lead_agency"], task["agency_code"]
    return {
        "kind": kind, "occurred_at": iso(at),
        "task_id": task["id"], "task_name": task["name"],
        "instance_id": instance["id"], "process_id": instance["process_id"], "title": title,
        "lead_agency": lead, "lead_agency_name": agencies.get(lead, lead),
        "agency": agency, "agency_name": agencies.get(agency, agency),
        "due_at": iso(task["due_at"]),
        "due_local": local_text(cal, task["due_at"]) if task["due_at"] else None,
        "timing": timing_text(cal, task["due_at"], at),
        "position": position,
        "link": f"{public_url}/?task={task['id']}",
    }
