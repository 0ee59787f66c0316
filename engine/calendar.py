"""Count deadlines in working days, working hours and calendar days for a Vietnamese agency.

N working days are counted by one of two models, chosen per BPMN deadline (``deadline_model``):

* **Day count** (``day_count``, the default; Civil Code 2015, arts. 147-148). The day of
  receipt is not counted: day 1 is the first working day strictly after the local
  (Asia/Ho_Chi_Minh) date of receipt, whatever the hour, and the period ends at the close of
  business (17:00) of working day N. The cut-off plays no part: 10:00 and 16:00 on the same
  day give the same due date; a Saturday receipt counts Monday as day 1. Received Thursday
  12/02/2026 16:00 with 7: day 1 is Friday 13/02, Tết is skipped, due 02/03/2026 17:00.
* **One-stop appointment** (``one_stop``; Decree 118/2025/NĐ-CP, form 01 of Circular
  01/2018/TT-VPCP prints the return hour). The clock starts at the receipt instant, or at the
  opening of the next working period when the receipt is outside working hours, and at the
  opening of the next working day when it is strictly after the cut-off (15:00:00: 15:00:00
  stays, 15:00:01 moves) or on a non-working day. N working days are N working-day lengths
  (8 h with the standard periods) of working time. Received Monday 10:00 with 3: due
  Thursday 10:00. After the cut-off or on a day off both models give the same instant.

N = 0 ends at the close of the receipt day (day count; the next working day's close when the
receipt is on a day off or after the close) or at the clock's start (one-stop).

A calendar-day period (art. 148) ends at the close of day start+N, or of the next working day
when that day is not a working day.

A day's status comes, in this order, from: the dated override file (the administrator's
record of each year's government announcements); the swapped working weekend days and the
holidays of the `holidays` package, minus calendar_explain.IGNORED_LIBRARY_HOLIDAYS (24/11);
the agency's weekly working days. An agency may declare its own reception hours
(``[agency.CODE.working_hours]``); `WorkCalendar.for_agency` returns its calendar. Public
methods take timezone-aware datetimes (naive ones raise ValueError) and return aware
datetimes in UTC.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from engine import calendar_explain as words
from engine.calendar_explain import DayInfo, Explanation, Override, load_overrides
from engine.shipped import shipped
from engine.working_hours import WorkingHours, load_agency_hours, load_working_hours

__all__ = [
    "DayInfo", "DeadlineModel", "Explanation", "Override", "WorkCalendar", "WorkingHours",
    "load_overrides",
]

DEFAULT_OVERRIDE_FILE = shipped("config/calendar_overrides.toml")
ONE_DAY = timedelta(days=1)
# Bumped whenever the counting rules change, so the next start recomputes open due dates.
COUNTING_RULES = "2026-11: day_count without double shift; one_stop appointment; agency hours"


class DeadlineModel(enum.StrEnum):
    """How N working days are counted; see the module docstring."""

    DAY_COUNT = "day_count"
    ONE_STOP = "one_stop"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class WorkCalendar:
    """Decide working days and count deadlines for one agency."""

    def __init__(self, overrides: Iterable[Override] = (), hours: WorkingHours | None = None,
                 agency_hours: Mapping[str, WorkingHours] | None = None):
        self.hours = hours or WorkingHours()
        self.agency_hours = dict(agency_hours or {})
        self._zone = ZoneInfo(self.hours.tz)
        self._overrides: dict[date, Override] = {}
        for entry in overrides:
            if entry.date in self._overrides:
                raise ValueError(f"two overrides for {entry.date}")
            self._overrides[entry.date] = entry
        self._years: dict[int, dict[date, DayInfo]] = {}
        self._agencies: dict[str, WorkCalendar] = {}

    @classmethod
    def from_file(
        cls, path: Path | str | None = None, hours: WorkingHours | None = None
    ) -> WorkCalendar:
        """Build a calendar from an override file, by default config/calendar_overrides.toml.

        The file's optional ``[working_hours]`` table sets the province's periods, cut-off
        and time zone (``hours`` given here wins over it); each ``[agency.CODE.working_hours]``
        table sets one agency's, falling back key by key to the province's.
        """
        path = path or DEFAULT_OVERRIDE_FILE
        hours = hours or load_working_hours(path)
        return cls(load_overrides(path), hours, load_agency_hours(path, hours))

    def for_agency(self, code: str | None) -> WorkCalendar:
        """Return the calendar of an agency: its own reception hours, else the province's."""
        if not code or code not in self.agency_hours or self.agency_hours[code] == self.hours:
            return self
        if code not in self._agencies:
            own = WorkCalendar(self._overrides.values(), self.agency_hours[code])
            if own.hours.workdays == self.hours.workdays:
                own._years = self._years  # same days, same reasons: share the year tables
            self._agencies[code] = own
        return self._agencies[code]

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
        """Return a digest of everything that decides a due date, to notice when any of it changed."""
        text = repr((sorted(self._overrides.items()), self.hours, sorted(self.agency_hours.items()),
                     holidays.__version__, COUNTING_RULES))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # Days --------------------------------------------------------------------------------

    def day_info(self, day: date) -> DayInfo:
        """Tell whether a date is a working day and why."""
        if isinstance(day, datetime):
            raise TypeError("day_info takes a date; convert instants to local dates first")
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

    def override_for(self, day: date) -> Override | None:
        """Return the override file's entry for a date, if the administrator recorded one."""
        return self._overrides.get(day)

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

    def first_counted_day(self, moment: datetime) -> date:
        """Return day 1 of a day count: the first working day after the local date of receipt."""
        return self.next_working_day(self._local(moment).date())

    def clock_start(self, moment: datetime, cutoff: bool = True) -> tuple[datetime, str]:
        """Return when a one-stop clock starts, and why: in_hours, outside_hours, cutoff, non_working."""
        local = self._local(moment)
        day = local.date()
        if not self.is_working_day(day):
            why = "non_working"
        elif cutoff and local.time() > self.hours.cutoff:
            # Strictly after the cut-off the dossier is handed on the next working day.
            return _utc(self._at(self.next_working_day(day), self.hours.opening)), "cutoff"
        elif any(start <= local < end for start, end in self._periods(day)):
            return _utc(local), "in_hours"
        else:
            why = "outside_hours"
        return _utc(self._next_period(local)[0]), why

    def _due_day(self, moment: datetime, n: int) -> tuple[date, ...]:
        """Return the working days a day count counts, or the due day alone when n is 0."""
        if n < 0:
            raise ValueError("the number of days must not be negative")
        local = self._local(moment)
        if n == 0:
            day = local.date()
            on_time = self.is_working_day(day) and local.time() <= self.hours.close
            return (day if on_time else self.next_working_day(day),)
        counted, day = [], local.date()
        for _ in range(n):
            day = self.next_working_day(day)
            counted.append(day)
        return tuple(counted)

    def add_working_days(self, start: datetime, n: int, model: str = DeadlineModel.DAY_COUNT,
                         cutoff: bool = True) -> datetime:
        """Return the due instant of n working days from a receipt, counted by a model.

        ``cutoff`` matters to the one-stop model only: False starts the clock at any receipt
        inside working hours (an online dossier), True moves a receipt after 15:00 to the
        next working day.
        """
        if DeadlineModel(model) == DeadlineModel.ONE_STOP:
            if n < 0:
                raise ValueError("the number of days must not be negative")
            begin, _ = self.clock_start(start, cutoff)
            return self.add_working_hours(begin, n * self.hours.day_length)
        return _utc(self._at(self._due_day(start, n)[-1], self.hours.close))

    def add_calendar_days(self, start: datetime, n: int) -> datetime:
        """Return the close of day start+n, or of the next working day if that one is off."""
        if n < 0:
            raise ValueError("the number of days must not be negative")
        day = self._local(start).date() + timedelta(days=n)
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return _utc(self._at(day, self.hours.close))

    def explain_working_days(self, start: datetime, n: int, model: str = DeadlineModel.DAY_COUNT,
                             cutoff: bool = True) -> Explanation:
        """Count n working days like add_working_days and say, in Vietnamese, how."""
        model, local = DeadlineModel(model), self._local(start)
        due = self.add_working_days(start, n, model, cutoff).astimezone(self._zone)
        receipt_day = self.day_info(local.date())
        between = (local.date() + timedelta(days=i) for i in range(1, (due.date() - local.date()).days))
        skipped = tuple(info for info in map(self.day_info, between) if not info.working)
        if model == DeadlineModel.ONE_STOP:
            begin, why = self.clock_start(start, cutoff)
            first = begin.astimezone(self._zone).date()
            text = words.one_stop_text(local, receipt_day, begin.astimezone(self._zone), why, n,
                                       skipped, due, self.hours)
            return Explanation(model, _utc(local), begin, first, skipped, _utc(due), why == "cutoff", text)
        counted = self._due_day(start, n)
        first = counted[0] if n else None
        text = words.day_count_text(local, receipt_day, first, n, skipped, due, self.hours)
        return Explanation(model, _utc(local), None, first, skipped, _utc(due), False, text)
