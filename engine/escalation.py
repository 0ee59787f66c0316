"""The escalation ladder as a pure policy: which rungs a task gets, and when each is due.

Rungs, by default (``config/escalation.toml``, per process, with per-agency overrides):

1. ``reminder``: 1 working day before the due date, to the assigned agency;
2. ``overdue``: at the due date, the task is marked overdue and the agency head notified;
   for a reply whose request says silence is consent, the reply closes as ``deemed_agree``
   instead, once ``deemed_consent_after`` has passed (0 by default: at the due date);
3. ``escalation``: 2 working days after the due date, onto the Provincial Office's list;
4. ``unclaimed``: 1 working day after the task opened, if no officer has claimed it by then,
   to the agency head's attention (counted from the opening, not the due date).

The ladder file is read when a task's deadline is set, so it changes without redeploying BPMN;
rungs already scheduled keep the times they were given.
"""

import enum
import tomllib
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from pathlib import Path

from engine.calendar import WorkCalendar
from engine.shipped import shipped

DEFAULT_FILE = shipped("config/escalation.toml")


class Rung(enum.StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"
    DEEMED_CONSENT = "deemed_consent"
    ESCALATION = "escalation"
    UNCLAIMED = "unclaimed"


# The unclaimed rung calls the head without raising the task's escalation level.
LEVEL = {Rung.REMINDER: 1, Rung.OVERDUE: 2, Rung.DEEMED_CONSENT: 2, Rung.ESCALATION: 3,
         Rung.UNCLAIMED: 0}


@dataclass(frozen=True)
class Ladder:
    """Offsets of each rung from the due date, in working hours; None turns a rung off."""

    reminder_before: float | None = 8
    overdue_after: float | None = 0
    deemed_consent_after: float | None = 0
    escalate_after: float | None = 16
    unclaimed_after: float | None = None  # off unless configured (the shipped file: 1 working day)

    def rungs(self, due: datetime, cal: WorkCalendar, deemed_consent: bool) -> list[tuple[Rung, datetime]]:
        """Return each rung of a task and its instant, in order."""
        planned = [
            (Rung.REMINDER, self.reminder_before and cal.subtract_working_hours(due, self.reminder_before)),
            (Rung.OVERDUE, _after(due, self.overdue_after, cal)),
            (Rung.ESCALATION, _after(due, self.escalate_after, cal)),
        ]
        if deemed_consent:
            planned.append((Rung.DEEMED_CONSENT, _after(due, self.deemed_consent_after, cal)))
        return sorted(((r, at) for r, at in planned if at), key=lambda p: (p[1], LEVEL[p[0]]))


    def unclaimed_at(self, opened: datetime, cal: WorkCalendar) -> datetime | None:
        """Return when a task nobody claimed goes to its head, counted from its opening."""
        return None if self.unclaimed_after is None else cal.add_working_hours(opened, self.unclaimed_after)


def _after(due: datetime, hours: float | None, cal: WorkCalendar) -> datetime | None:
    if hours is None:
        return None
    return cal.add_working_hours(due, hours) if hours else due


@dataclass(frozen=True)
class LadderBook:
    """The ladders of every process and agency, from the configuration file."""

    default: Ladder
    processes: dict[str, Ladder]
    agencies: dict[tuple[str, str], Ladder]

    def for_task(self, process_id: str, agency: str) -> Ladder:
        """Return the agency's override, else the process's ladder, else the default."""
        return self.agencies.get((process_id, agency)) or self.processes.get(process_id, self.default)

    @classmethod
    def from_file(cls, path: Path | None = None) -> "LadderBook":
        """Read a ladder file; offsets are written like ``"1 working_days"`` or ``"off"``."""
        data = tomllib.loads((path or DEFAULT_FILE).read_text(encoding="utf-8"))
        default = _ladder(Ladder(), data.get("default", {}))
        processes, agencies = {}, {}
        for process_id, section in data.get("process", {}).items():
            processes[process_id] = _ladder(default, section)
            for agency, override in section.get("agency", {}).items():
                agencies[(process_id, agency)] = _ladder(processes[process_id], override)
        return cls(default, processes, agencies)


def _ladder(base: Ladder, section: dict) -> Ladder:
    names = {f.name for f in fields(Ladder)}
    unknown = set(section) - names - {"agency"}
    if unknown:
        raise ValueError(f"unknown ladder settings: {', '.join(sorted(unknown))}")
    return replace(base, **{k: _hours(v) for k, v in section.items() if k in names})


def _hours(text: str) -> float | None:
    """Read ``"off"``, ``"N working_days"`` (8 hours each) or ``"N working_hours"``."""
    if text == "off":
        return None
    amount, _, unit = text.partition(" ")
    value = float(amount)
    if value < 0 or unit not in ("working_days", "working_hours"):
        raise ValueError(f"bad ladder offset {text!r}")
    return value * 8 if unit == "working_days" else value


def hours_per_day(cal: WorkCalendar) -> timedelta:
    """Return the length of a working day, from the calendar's working periods."""
    return sum((datetime.combine(datetime.min, e) - datetime.combine(datetime.min, s)
                for s, e in cal.hours.periods), timedelta())
