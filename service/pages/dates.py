"""Say instants and due dates the way officers read them: Vietnam time, Vietnamese words.

Pure functions of an instant, ``now`` and a working calendar, so they are tested on the frozen
clock; ``shell`` registers them as template filters.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.calendar import WorkCalendar

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class Due(enum.StrEnum):
    """Where a due instant stands against now; the value is the CSS class of its badge."""

    ON_TIME = "on-time"
    SOON = "soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    NONE = "none"


DUE_LABELS = {
    Due.ON_TIME: "Trong hạn",
    Due.SOON: "Sắp đến hạn",
    Due.OVERDUE: "Quá hạn",
    Due.PAUSED: "Tạm dừng tính hạn",
    Due.NONE: "Không có hạn",
}


def as_instant(value: str | datetime | None) -> datetime | None:
    """Accept an ISO string (as views return them) or a datetime."""
    if value is None or value == "":
        return None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def local_date(value, calendar: WorkCalendar, weekday: bool = False) -> str:
    """Show the local day of an instant: 26/02/2026, or Thứ Năm, 26/02/2026."""
    moment = as_instant(value)
    if moment is None:
        return "—"
    local = moment.astimezone(calendar.tz)
    day = f"{local:%d/%m/%Y}"
    return f"{WEEKDAYS[local.weekday()]}, {day}" if weekday else day


@dataclass(frozen=True)
class DueInfo:
    """A due instant as the pages show it: its class, its label and the time left or late."""

    state: Due
    text: str

    @property
    def label(self) -> str:
        return DUE_LABELS[self.state]


def describe_due(value, now: datetime, calendar: WorkCalendar, paused: bool = False) -> DueInfo:
    """Classify a due instant and say in working time how long is left, or how late it is.

    Overdue once reached; soon within one working day of it. Each span is counted once, on
    the calendar, since an inbox page asks this of every row.
    """
    due = as_instant(value)
    if due is None:
        return DueInfo(Due.NONE, "Không có hạn")
    if paused:
        return DueInfo(Due.PAUSED, "Đang tạm dừng tính hạn")
    if due <= now:
        late = calendar.working_time_between(due, now)
        return DueInfo(Due.OVERDUE, f"Quá hạn {_span(late, calendar)}" if late
                       else "Quá hạn (ngoài giờ làm việc)")
    left = calendar.working_time_between(now, due)
    state = Due.SOON if left <= calendar.hours.day_length else Due.ON_TIME
    return DueInfo(state, f"Còn {_span(left, calendar)}")


def due_state(value, now: datetime, calendar: WorkCalendar, paused: bool = False) -> Due:
    """Classify a due instant: on time, soon, overdue, paused or none."""
    return describe_due(value, now, calendar, paused).state


def due_in(value, now: datetime, calendar: WorkCalendar, paused: bool = False) -> str:
    """Say in working time how long is left, or how late it is: "Còn 2 ngày 3 giờ làm việc"."""
    return describe_due(value, now, calendar, paused).text


def _span(span: timedelta, calendar: WorkCalendar) -> str:
    day = calendar.hours.day_length
    days, rest = divmod(span, day)
    hours, minutes = int(rest.total_seconds() // 3600), int(rest.total_seconds() % 3600 // 60)
    parts = [f"{days} ngày" if days else "", f"{hours} giờ" if hours else "",
             f"{minutes} phút" if minutes and not days else ""]
    return " ".join(p for p in parts if p) + " làm việc" if any(parts) else "dưới 1 phút"
