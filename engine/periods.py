"""Script helpers for processes that reason in calendar dates: a fixed date, a reporting period.

A task's ``deadline`` counts working days from the instant the task opens. A process that is
given a date instead ("xong trước ngày 30/6") or reports on a fixed schedule ("báo cáo hằng
tuần") turns the date into that count with ``working_days_until``, evaluated as the task
opens, so the stored rule, its explanation and any extension stay working days.
"""

import calendar as months
import functools
from datetime import date, datetime, timedelta

from engine.calendar import WorkCalendar
from engine.sandbox import trusted

PERIODS = ("weekly", "monthly")
# A date further ahead is a typing error, and counting to it would only burn time.
MAX_DAYS_AHEAD = 3 * 366


def last_counted_day(cal: WorkCalendar, day: date) -> date:
    """Return the day a period ending on ``day`` really ends: the next working day if it is off.

    Civil Code 2015, art. 148(4): a period whose last day is a day off ends on the working
    day after it.
    """
    return day if cal.is_working_day(day) else cal.next_working_day(day)


def working_days_until(cal: WorkCalendar, now: datetime, day: date) -> int:
    """Count the working days after today's local date up to the period's last counted day.

    ``deadline = "working_days_until(d) working_days"`` is then due at the close of ``d``.
    """
    today, end = now.astimezone(cal.tz).date(), last_counted_day(cal, day)
    if end <= today:
        raise ValueError(f"Ngày {day:%d/%m/%Y} không sau ngày hiện tại {today:%d/%m/%Y}")
    if (end - today).days > MAX_DAYS_AHEAD:
        raise ValueError(f"Ngày {day:%d/%m/%Y} xa quá {MAX_DAYS_AHEAD} ngày")
    count, current = 0, today
    while current < end:
        current = cal.next_working_day(current)
        count += 1
    return count


def period_end(start: date, period: str, k: int) -> date:
    """Return the last day of the k-th reporting period counted from ``start``."""
    if period == "weekly":
        return start + timedelta(weeks=k)
    if period != "monthly":
        raise ValueError(f"Kỳ báo cáo '{period}' không hợp lệ; dùng: {', '.join(PERIODS)}")
    year, month = divmod(start.month - 1 + k, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, months.monthrange(year, month)[1]))


def next_period_end(cal: WorkCalendar, now: datetime, start: date, period: str,
                    after: date | None = None) -> date:
    """Return the end of the first period ending after today and after ``after``.

    ``after`` is the end of the period last reported on, so a report sent early is not asked
    for again; a period that ended unreported is not owed again either (it was a violation).
    """
    today, k = now.astimezone(cal.tz).date(), 1
    floor = max(today, after) if after else today
    if (floor - start).days > MAX_DAYS_AHEAD:
        raise ValueError(f"Kỳ báo cáo sau ngày {floor:%d/%m/%Y} xa quá ngày giao")
    while last_counted_day(cal, period_end(start, period, k)) <= floor:
        k += 1
    return period_end(start, period, k)


def period_helpers(cal: WorkCalendar, now: datetime) -> dict:
    """Return the date helpers scripts and deadline expressions may call, anchored at ``now``."""

    def today() -> str:
        return now.astimezone(cal.tz).date().isoformat()

    def days_until(day: str) -> int:
        return working_days_until(cal, now, _date(day))

    def next_report_day(start: str, period: str, after: str | None = None) -> str:
        return next_period_end(cal, now, _date(start), period, after and _date(after)).isoformat()

    helpers = {"today": today, "working_days_until": days_until, "next_report_day": next_report_day}
    return {name: _untraced(fn) for name, fn in helpers.items()}


def _untraced(fn):
    """Run a helper as trusted code: untraced, and off the calling script's time limit."""
    @functools.wraps(fn)
    def helper(*args, **kwargs):
        with trusted():
            return fn(*args, **kwargs)
    return helper


def _date(text) -> date:
    if not isinstance(text, str):
        raise ValueError(f"Ngày phải viết dạng YYYY-MM-DD, nhận được {text!r}")
    return date.fromisoformat(text[:10])
