"""The report's fast working-time count agrees with the calendar's day-by-day walk."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import WorkCalendar
from engine.reports.worktime import WorkingClock

CALENDAR = WorkCalendar.from_file()
START = datetime(2026, 1, 1, tzinfo=UTC)
instants = st.integers(0, 400 * 24 * 60).map(lambda m: START + timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(instants, instants)
def test_prefix_sum_equals_the_calendar_walk(a, b):
    clock = WorkingClock(CALENDAR, date(2025, 12, 31))
    expected = round(CALENDAR.working_time_between(a, b).total_seconds() / 3600, 2)
    assert clock.hours(a, b) == expected


def test_a_task_across_tet_counts_only_working_hours():
    clock = WorkingClock(CALENDAR, date(2026, 2, 1))
    # Thursday 12/2/2026 16:00 → Monday 23/2 08:30 (Hà Nội): 12/2 16–17 = 1 h, 13/2 = 8 h,
    # Tết 14–22/2 = 0, 23/2 07:30–08:30 = 1 h → 10 h.
    assert clock.hours(datetime(2026, 2, 12, 9, tzinfo=UTC), datetime(2026, 2, 23, 1, 30, tzinfo=UTC)) == 10.0
