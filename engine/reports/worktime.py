"""Count working time between many pairs of instants fast, with a prefix sum over working days.

``WorkCalendar.working_time_between`` walks every day between two instants; a monthly report
asks it for tens of thousands of pairs. Here each instant maps once to "working seconds since
a reference day", so a duration is one subtraction. The answers equal the calendar's (a test
compares them on random instants across Tết).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


class WorkingClock:
    """Working seconds since ``origin`` for any instant from ``origin`` onwards."""

    def __init__(self, calendar, origin: date):
        self.calendar, self.origin = calendar, origin
        self.periods = [(_seconds(s), _seconds(e)) for s, e in calendar.hours.periods]
        self.day_length = sum(e - s for s, e in self.periods)
        self._cumulative = [0]  # working seconds before origin + i days

    def _before(self, day: date) -> int:
        index = (day - self.origin).days
        while len(self._cumulative) <= index:
            current = self.origin + timedelta(days=len(self._cumulative) - 1)
            worked = self.day_length if self.calendar.is_working_day(current) else 0
            self._cumulative.append(self._cumulative[-1] + worked)
        return self._cumulative[index]

    @lru_cache(maxsize=200_000)  # noqa: B019 - one clock per report; instants repeat across sections
    def at(self, moment: datetime) -> int:
        """Return the working seconds from the origin's midnight to an instant."""
        local = moment.astimezone(self.calendar.tz)
        day = local.date()
        if day < self.origin:
            return 0
        within = 0
        if self.calendar.is_working_day(day):
            now = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
            within = sum(max(0, min(e, now) - s) for s, e in self.periods)
        return self._before(day) + within

    def hours(self, a: datetime, b: datetime) -> float:
        """Return the working hours between a and b, rounded to the hundredth; 0 if a >= b."""
        return round(max(0, self.at(b) - self.at(a)) / 3600, 2)
