"""An agency's working periods, cut-off, weekly working days and time zone, read from config/.

The override file's ``[working_hours]`` table sets the province's; each
``[agency.CODE.working_hours]`` table sets one agency's reception hours, and every key it
leaves out is the province's.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WorkingHours:
    """Describe an agency's working periods, time zone, cut-off and weekly working days."""

    periods: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(17, 0)),
    )
    tz: str = "Asia/Ho_Chi_Minh"
    cutoff: time = time(15, 0)
    workdays: frozenset[int] = frozenset(range(5))  # Monday=0 .. Friday=4

    def __post_init__(self):
        bounds = [clock for period in self.periods for clock in period]
        if not self.periods or bounds != sorted(bounds) or any(s >= e for s, e in self.periods):
            raise ValueError("working periods must be non-empty, ordered and non-overlapping")
        if not self.workdays or not set(self.workdays) <= set(range(7)):
            raise ValueError("workdays must be a non-empty set of weekday numbers 0..6")
        ZoneInfo(self.tz)  # fail at configuration time, not at the first deadline

    @property
    def opening(self) -> time:
        """Return the opening of business: the start of the first working period."""
        return self.periods[0][0]

    @property
    def close(self) -> time:
        """Return the close of business: the end of the last working period."""
        return self.periods[-1][1]

    @property
    def day_length(self) -> timedelta:
        """Return the working time of one working day (8 hours with the standard periods)."""
        day = date(2000, 1, 1)
        return sum((datetime.combine(day, e) - datetime.combine(day, s) for s, e in self.periods),
                   timedelta())


HOURS_KEYS = {"periods", "cutoff", "tz", "workdays"}


def _hours_from(table: Mapping, base: WorkingHours, where: str) -> WorkingHours:
    """Read one working_hours table; keys it leaves out keep the base's values."""
    unknown = set(table) - HOURS_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown working_hours keys {sorted(unknown)}")
    fields = {}
    if "periods" in table:
        fields["periods"] = tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in table["periods"])
    if "cutoff" in table:
        fields["cutoff"] = time.fromisoformat(table["cutoff"])
    if "tz" in table:
        fields["tz"] = table["tz"]
    if "workdays" in table:
        fields["workdays"] = frozenset(table["workdays"])
    return replace(base, **fields)


def load_working_hours(path: Path | str) -> WorkingHours:
    """Read the ``[working_hours]`` table of an override file, or return the defaults."""
    with open(path, "rb") as handle:
        table = tomllib.load(handle).get("working_hours", {})
    return _hours_from(table, WorkingHours(), f"{path} [working_hours]")


def load_agency_hours(path: Path | str, province: WorkingHours) -> dict[str, WorkingHours]:
    """Read each ``[agency.CODE.working_hours]`` table; what one leaves out is the province's."""
    with open(path, "rb") as handle:
        agencies = tomllib.load(handle).get("agency", {})
    hours = {}
    for code, section in agencies.items():
        unknown = set(section) - {"working_hours"}
        if unknown:
            raise ValueError(f"{path} [agency.{code}]: unknown keys {sorted(unknown)}")
        hours[code] = _hours_from(section.get("working_hours", {}), province,
                                  f"{path} [agency.{code}.working_hours]")
    return hours
