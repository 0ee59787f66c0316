"""Count deadlines in working days, working hours and calendar days for a Vietnamese agency.

The convention for "N working days from receipt" (Civil Code 2015, arts. 147-148):

1. The effective receipt date is the local (Asia/Ho_Chi_Minh) date of receipt. It moves to
   the next working day when the receipt falls on a non-working day, strictly after the close
   of business (17:00:00), or, when the cut-off applies (paper dossiers, ``cutoff=True``),
   strictly after the cut-off (15:00:00): 14:59 and 15:00:00 stay on that day, 15:00:01 and
   15:01 move to the next working day.
2. The effective receipt date itself is not counted (art. 147); counting starts on the next
   working day after it.
3. The deadline is the close of business (end of the last working period, 17:00 local) of
   the N-th counted working day (N=0: the close of the effective receipt date). Received
   Monday 10:00 with 3 working days: due Thursday 17:00. Received Thursday 12/02/2026 16:00
   with 7: anchored on Friday 13/02, Tết is off 14-22/02, due Tuesday 03/03/2026 17:00.

A calendar-day period (art. 148) ends at the close of day start+N, or of the next working day
when that day is not a working day.

A day's status comes, in this order, from: the dated override file (the administrator's
record of each year's government announcements); the swapped working weekend days and the
holidays of the `holidays` package, minus calendar_explain.IGNORED_LIBRARY_HOLIDAYS (24/11);
the agency's weekly working days. Public methods take timezone-aware datetimes (naive ones
raise ValueError) and return aware datetimes in UTC.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from engine import calendar_explain as words
from engine.calendar_explain import DayInfo, Explanation, Override, load_overrides
from engine.shipped import shipped

__all__ = ["DayInfo", "Explanation", "Override", "WorkCalendar", "WorkingHours", "load_overrides"]

DEFAULT_OVERRIDE_FILE = shipped("config/calendar_overrides.toml")
ONE_DAY = timedelta(days=1)


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
    def close(self) -> time:
        """Return the close of business: the end of the last working period."""
        return self.periods[-1][1]


def load_working_hours(path: Path | str) -> WorkingHours:
    """Read the ``[working_hours]`` table of an override file, or return the defaults."""
    with open(path, "rb") as handle:
        table = tomllib.load(handle).get("working_hours")
    if table is None:
        return WorkingHours()
    unknown = set(table) - {"periods", "cutoff", "tz", "workdays"}
    if unknown:
        raise ValueError(f"{path}: unknown working_hours keys {sorted(unknown)}")
    fields = {}
    if "periods" in table:
        fields["periods"] = tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in table["periods"])
    if "cutoff" in table:
        fields["cutoff"] = time.fromisoformat(table["cutoff"])
    if "tz" in table:
        fields["tz"] = table["tz"]
    if "workdays" in table:
        fields["workdays"] = frozenset(table["workdays"])
    return WorkingHours(**fields)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class WorkCalendar:
    """Decide working days and count deadlines for one agency."""

    def __init__(self, overrides: Iterable[Override] = (), hours: WorkingHours | None = None):
        self.hours = hours or WorkingHours()
        self._zone = ZoneInfo(self.hours.tz)
        self._overrides: dict[date, Override] = {}
        for entry in overrides:
            if entry.date in self._overrides:
                raise ValueError(f"two overrides for {entry.date}")
            self._overrides[entry.date] = entry
        self._years: dict[int, dict[date, DayInfo]] = {}

    @classmethod
    def from_file(
        cls, path: Path | str | None = None, hours: WorkingHours | None = None
    ) -> WorkCalendar:
        """Build a calendar from an override file, by default config/calendar_overrides.toml.

        The file's optional ``[working_hours]`` table sets the periods, the cut-off and the
        time zone; ``hours`` given here wins over it.
        """
        path = path or DEFAULT_OVERRIDE_FILE
        return cls(load_overrides(path), hours or load_working_hours(path))

    @property
    def tz(self) -> ZoneInfo:
        """Return the agency's time zone."""
        return self._zone

    def assume_local(self, moment: datetime | None) -> datetime | None:
        """Read a time given without an offset as the agency's local time, as officers mean it."""
        if moment is None or moment.tzinfo is not None:
            return moment
        return moment.replace(tzinfo=self._zone)

    @property
    def fingerprint(self) -> str:
        """Return a digest of everything that decides a day, to notice when any of it changed."""
        text = repr((sorted(self._overrides.items()), self.hours, holidays.__version__))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # Days --------------------------------------------------------------------------------

    def day_info(self, day: date) -> DayInfo:
        """Tell whether a date is a working day and why."""
        if isinstance(day, datetime):
            raise TypeError("day_info takes a date; convert instants with effective_receipt")
        table = self._years.get(day.year) or self._build_year(day.year)
        return table[day]

    def is_working_day(self, day: date) -> bool:
        """Tell whether a date is a working day."""
        return self.day_info(day).working

    def next_working_day(self, day: date) -> date:
        """Return the first working day strictly after a date."""
        day += ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def year_listing(self, year: int) -> list[DayInfo]:
        """List the non-working weekdays and the working weekend days of a year."""
        table = self._years.get(year) or self._build_year(year)
        workdays = self.hours.workdays
        return [i for i in table.values() if i.working != (i.date.weekday() in workdays)]

    def format_year(self, year: int) -> str:
        """Render year_listing as a Vietnamese plain-text table."""
        return words.year_table(year, self.year_listing(year))

    def _build_year(self, year: int) -> dict[date, DayInfo]:
        names, swapped = words.library_year(year)
        first = date(year, 1, 1)
        days = (first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days))
        table = {
            day: words.decide_day(
                day,
                self._overrides.get(day),
                names.get(day, ()),
                day in swapped,
                self.hours.workdays,
            )
            for day in days
        }
        self._years[year] = table
        return table

    # Instants ----------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware instant")
        return moment.astimezone(self._zone)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self._zone)

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.hours.periods]

    def _next_period(self, local: datetime) -> tuple[datetime, datetime]:
        """Return the first working period that ends strictly after a local instant."""
        day = local.date()
        while True:
            for start, end in self._periods(day):
                if end > local:
                    return start, end
            day += ONE_DAY

    def next_working_instant(self, moment: datetime) -> datetime:
        """Return the instant itself if inside a working period, else the next period's start."""
        local = self._local(moment)
        start, _ = self._next_period(local)
        return _utc(max(start, local))

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """Return the instant when `hours` of working time have elapsed after `start`."""
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("hours must not be negative")
        now = self._local(start)
        while True:
            begin, end = self._next_period(now)
            now = max(begin, now)
            if remaining <= end - now:  # ending exactly at a period's end stays on that day
                return _utc(now + remaining)
            remaining -= end - now
            now = end

    def _previous_period(self, local: datetime) -> tuple[datetime, datetime]:
        """Return the last working period that starts strictly before a local instant."""
        day = local.date()
        while True:
            for start, end in reversed(self._periods(day)):
                if start < local:
                    return start, end
            day -= ONE_DAY

    def subtract_working_hours(self, end: datetime, hours: float | timedelta) -> datetime:
        """Return the instant `hours` of working time before `end` (for reminders before a due date)."""
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("hours must not be negative")
        now = self._local(end)
        while True:
            begin, finish = self._previous_period(now)
            now = min(finish, now)
            if remaining < now - begin:  # landing exactly on a period's start moves to the
                return _utc(now - remaining)  # previous period's end: 17:00, not 07:30 next day
            remaining -= now - begin
            now = begin

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the working time inside working periods between a and b; zero if a >= b."""
        a, b = self._local(a), self._local(b)
        total, day = timedelta(0), a.date()
        while day <= b.date():
            for start, end in self._periods(day):
                total += max(timedelta(0), min(end, b) - max(start, a))
            day += ONE_DAY
        return total

    # Deadlines ---------------------------------------------------------------------------

    def _anchor(self, moment: datetime, cutoff: bool) -> tuple[date, str]:
        """Return the effective receipt date and why: same_day, non_working, cutoff, after_close."""
        local = self._local(moment)
        day, clock = local.date(), local.time()
        if not self.is_working_day(day):
            why = "non_working"
        elif cutoff and clock > self.hours.cutoff:
            why = "cutoff"
        elif clock > self.hours.close:
            why = "after_close"
        else:
            return day, "same_day"
        return self.next_working_day(day), why

    def _counted(self, anchor: date, n: int) -> tuple[date, ...]:
        if n < 0:
            raise ValueError("the number of days must not be negative")
        counted, day = [], anchor
        for _ in range(n):
            day = self.next_working_day(day)
            counted.append(day)
        return tuple(counted)

    def effective_receipt(self, moment: datetime, cutoff: bool = True) -> date:
        """Return the date counting is anchored on (not itself counted); see the module doc."""
        return self._anchor(moment, cutoff)[0]

    def add_working_days(self, start: datetime, n: int, cutoff: bool = True) -> datetime:
        """Return the due instant of a period of n working days from a receipt."""
        anchor = self.effective_receipt(start, cutoff)
        counted = self._counted(anchor, n)
        return _utc(self._at(counted[-1] if counted else anchor, self.hours.close))

    def add_calendar_days(self, start: datetime, n: int) -> datetime:
        """Return the close of day start+n, or of the next working day if that one is off."""
        if n < 0:
            raise ValueError("the number of days must not be negative")
        day = self._local(start).date() + timedelta(days=n)
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return _utc(self._at(day, self.hours.close))

    def explain_working_days(self, start: datetime, n: int, cutoff: bool = True) -> Explanation:
        """Count n working days like add_working_days and say, in Vietnamese, how."""
        local = self._local(start)
        anchor, why = self._anchor(start, cutoff)
        counted = self._counted(anchor, n)
        last = counted[-1] if counted else anchor
        between = (anchor + timedelta(days=i) for i in range(1, (last - anchor).days))
        skipped = tuple(info for info in map(self.day_info, between) if not info.working)
        due = self._at(last, self.hours.close)
        receipt = words.receipt_sentence(
            local, why, anchor, self.day_info(local.date()), self.hours
        )
        text = f"{receipt} {words.counting_sentence(counted, skipped)} {words.due_sentence(due)}"
        return Explanation(_utc(local), anchor, why == "cutoff", counted, skipped, _utc(due), text)
