"""List the days of a year that the override file has not confirmed, for an administrator.

The government announces each year's holidays and swaps (nghỉ bù, làm bù) late in the year
before, and the `holidays` library learns them later still, or never: in 2026 it missed the
New Year swap. So before a year starts, an administrator checks three kinds of day against
the government's notice and records each in config/calendar_overrides.toml:

- every holiday or make-up Saturday the library lists with no override entry;
- every swap candidate: a working weekday alone between two days off, at least one of them
  a holiday (a Tuesday or Thursday holiday makes Monday or Friday a likely bridge day);
- every override entry whose name still says ``[verify]``.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from engine.calendar import WorkCalendar
from engine.calendar_explain import WEEKDAY_NAMES, dmy, library_year

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Unconfirmed:
    """One day the administrator should verify, with what the calendar applies meanwhile."""

    date: date
    working: bool  # what the calendar applies today
    reason: str


def unconfirmed_days(cal: WorkCalendar, year: int) -> list[Unconfirmed]:
    """Return the days of a year to verify against the government's notice, in date order."""
    names, swapped = library_year(year)
    found: dict[date, str] = {}
    for day, listed in names.items():
        ignored = " (lịch đang bỏ qua, vẫn làm việc)" if cal.is_working_day(day) else ""
        found[day] = f"Thư viện holidays ghi ngày nghỉ: {'; '.join(listed)}{ignored}"
    for day in swapped:
        found[day] = "Thư viện holidays ghi ngày làm bù"
    for day in _bridge_candidates(cal, year):
        found.setdefault(day, "Ngày làm việc nằm giữa hai ngày nghỉ: thường được hoán đổi"
                              " (nghỉ bù, làm bù một thứ Bảy)")
    unconfirmed = {day: why for day, why in found.items() if cal.override_for(day) is None}
    for day in _days_of(year):
        entry = cal.override_for(day)
        if entry is not None and "[verify]" in entry.name:
            unconfirmed[day] = f"Mục trong tệp còn ghi [verify]: {entry.name} ({entry.source})"
    return [Unconfirmed(day, cal.is_working_day(day), why) for day, why in sorted(unconfirmed.items())]


def _days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += ONE_DAY


def _bridge_candidates(cal: WorkCalendar, year: int):
    for day in _days_of(year):
        before, after = day - ONE_DAY, day + ONE_DAY
        if (cal.is_working_day(day) and day.weekday() in cal.hours.workdays
                and not cal.is_working_day(before) and not cal.is_working_day(after)
                and (before.weekday() in cal.hours.workdays or after.weekday() in cal.hours.workdays)):
            yield day


def format_check(year: int, days: list[Unconfirmed]) -> str:
    """Lay the unconfirmed days out as a Vietnamese plain-text table for the command line."""
    lines = [f"Năm {year}: các ngày tệp config/calendar_overrides.toml chưa xác nhận"]
    if not days:
        lines.append("Không còn ngày nào cần kiểm tra.")
        return "\n".join(lines)
    lines.append(f"{'Ngày':<12}{'Thứ':<10}{'Đang áp dụng':<14}Cần kiểm tra")
    for item in days:
        status = "Làm việc" if item.working else "Nghỉ"
        lines.append(f"{dmy(item.date):<12}{WEEKDAY_NAMES[item.date.weekday()]:<10}{status:<14}{item.reason}")
    lines.append(f"{len(days)} ngày: đối chiếu với thông báo của Chính phủ, rồi ghi từng ngày vào tệp"
                 " (kind = \"day_off\" hoặc \"working_day\", kèm số văn bản).")
    return "\n".join(lines)
