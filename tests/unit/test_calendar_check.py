"""`dunghan calendar check YEAR` lists what the override file has not confirmed yet."""

from datetime import date

from click.testing import CliRunner

from engine.calendar import Override, WorkCalendar
from engine.calendar_check import unconfirmed_days
from service.cli import main


def listed(cal: WorkCalendar, year: int) -> dict[date, str]:
    return {item.date: item.reason for item in unconfirmed_days(cal, year)}


def test_2027_lists_every_library_holiday_the_file_has_not_confirmed():
    days = listed(WorkCalendar.from_file(), 2027)
    assert days[date(2027, 1, 1)] == "Thư viện holidays ghi ngày nghỉ: Tết Dương lịch"
    assert "Tết Nguyên Đán" in days[date(2027, 2, 6)]
    assert days[date(2027, 9, 2)] == "Thư viện holidays ghi ngày nghỉ: Quốc khánh"
    assert "(lịch đang bỏ qua, vẫn làm việc)" in days[date(2027, 11, 24)]
    assert all(d.year == 2027 for d in days)


def test_days_the_file_records_are_confirmed():
    days = listed(WorkCalendar.from_file(), 2026)
    assert date(2026, 1, 2) not in days and date(2026, 1, 10) not in days
    assert date(2026, 2, 17) in days  # Tết 2026 still comes from the library alone


def test_a_lone_working_day_between_days_off_is_a_swap_candidate():
    # Without the override file, Friday 02/01/2026 sits between New Year's Day and a weekend:
    # exactly the day the government swapped with Saturday 10/01.
    days = listed(WorkCalendar(), 2026)
    assert days[date(2026, 1, 2)].startswith("Ngày làm việc nằm giữa hai ngày nghỉ")


def test_entries_still_marked_verify_are_listed():
    guess = Override(date(2027, 9, 3), "day_off", "Nghỉ liền kề Quốc khánh [verify]", "chưa có")
    assert "[verify]" in listed(WorkCalendar([guess]), 2027)[date(2027, 9, 3)]


def test_the_command_lists_the_days_and_fails_until_all_are_confirmed():
    result = CliRunner().invoke(main, ["calendar", "check", "2027"])
    assert result.exit_code == 1
    row = "01/01/2027  Thứ Sáu   Nghỉ          Thư viện holidays ghi ngày nghỉ: Tết Dương lịch"
    assert row in result.output
    assert CliRunner().invoke(main, ["calendar", "2027"]).exit_code == 0  # the year listing stays
