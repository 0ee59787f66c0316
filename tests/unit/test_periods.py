"""Dates a process reasons in: a deadline given as a date, and the end of each reporting period."""

from datetime import UTC, date, datetime

import pytest

from engine.calendar import WorkCalendar
from engine.periods import next_period_end, period_end, period_helpers, working_days_until

CAL = WorkCalendar.from_file()
MONDAY_9AM = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 Hà Nội, Monday 2 March 2026


def test_a_working_day_counts_every_working_day_up_to_it():
    assert working_days_until(CAL, MONDAY_9AM, date(2026, 3, 3)) == 1
    assert working_days_until(CAL, MONDAY_9AM, date(2026, 3, 16)) == 10  # two weeks on


def test_a_date_on_a_day_off_ends_at_the_next_working_day():
    # Saturday 28/3 ends on Monday 30/3: 4 + 5 + 5 + 5 + 1 working days.
    assert working_days_until(CAL, MONDAY_9AM, date(2026, 3, 28)) == 20
    assert working_days_until(CAL, MONDAY_9AM, date(2026, 3, 30)) == 20


def test_a_date_over_tet_skips_the_holiday():
    # From Thursday 12/2/2026: 13/2, then Tết 14–22/2, then 23, 24, 25, 26/2.
    thursday = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
    assert working_days_until(CAL, thursday, date(2026, 2, 26)) == 5


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 2, 27), date(2030, 1, 1)])
def test_today_the_past_and_a_typing_error_years_ahead_are_refused(day):
    with pytest.raises(ValueError):
        working_days_until(CAL, MONDAY_9AM, day)


def test_periods_run_weekly_or_monthly_from_the_start_and_clamp_to_short_months():
    start = date(2026, 1, 31)
    assert [period_end(start, "weekly", k) for k in (1, 2)] == [date(2026, 2, 7), date(2026, 2, 14)]
    assert [period_end(start, "monthly", k) for k in (1, 2, 11)] == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 12, 31)]
    with pytest.raises(ValueError):
        period_end(start, "daily", 1)


def test_the_next_report_is_after_today_and_after_the_period_already_reported():
    start = date(2026, 3, 2)
    assert next_period_end(CAL, MONDAY_9AM, start, "weekly") == date(2026, 3, 9)
    assert next_period_end(CAL, MONDAY_9AM, start, "weekly", after=date(2026, 3, 9)) == date(2026, 3, 16)
    # Reported on Tuesday 17/3, a week late: the week ending 16/3 is not owed again.
    tuesday = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
    assert next_period_end(CAL, tuesday, start, "weekly", after=date(2026, 3, 9)) == date(2026, 3, 23)


def test_helpers_take_and_give_iso_dates_as_scripts_do():
    helpers = period_helpers(CAL, MONDAY_9AM)
    assert helpers["today"]() == "2026-03-02"
    assert helpers["working_days_until"]("2026-03-16") == 10
    assert helpers["next_report_day"]("2026-03-02", "monthly", "2026-03-02") == "2026-04-02"
    with pytest.raises(ValueError):
        helpers["working_days_until"](20260316)
