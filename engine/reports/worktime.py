"""Count working time between many pairs of instants fast, with a prefix sum over working days.

``WorkCalendar.working_time_between`` walks every day between two instants; a monthly report
asks it for tens of thousands of pairs. Here each instant maps once to "working seconds since
a reference day", so a duration is one subtraction. The answers equal the calendar's (a test
compares them on random instants across Tết).
"""

from datetime import date, datetime, time, timedelta


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


class WorkingClock:
    """Working seconds since ``origin`` for any instant from ``origin`` onwards."""

    def __init__(self, calendar, origin: date):
        self.calendar, self.origin, self.tz = calendar, origin, calendar.tz
        self.periods = tuple((_seconds(s), _seconds(e)) for s, e in calendar.hours.periods)
        self.day_length = sum(e - s for s, e in self.periods)
        self._before: list[int] = [0]  # working seconds before origin + i days
        self._working: list[bool] = []  # whether origin + i days is a working day

    def _extend(self, index: int) -> None:
        while len(self._working) <= index:
            day = self.origin + timedelta(days=len(self._working))
            working = self.calendar.is_working_day(day)
            self._working.append(working)
            self._before.append(self._before[-1] + (self.day_length if working else 0))

    def at(self, moment: datetime) -> float:
        """Return the working seconds from the origin's midnight to an instant."""
        local = moment.astimezone(self.tz)
        index = (local.date() - self.origin).days
        if index < 0:
            return 0
        self._extend(index)
        if not self._working[index]:
            return self._before[index]
        now = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        within = 0
        for start, end in self.periods:
            if now > start:
                within += (end if now > end else now) - start
        return self._before[index] + within

    def hours(self, a: datetime, b: datetime) -> float:
        """Return the working hours between a and b, rounded to the hundredth; 0 if a >= b."""
        return round(max(0, self.at(b) - self.at(a)) / 3600, 2)
