"""Check WorkCalendar against hand-counted Vietnamese deadlines on real 2025-2026 dates."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from engine import calendar_explain
from engine.calendar import DEFAULT_OVERRIDE_FILE, Override, WorkCalendar, WorkingHours

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = "Công văn 12729/VPCP-KGVX"
NEW_YEAR_OFF = f"Nghỉ bù Tết Dương lịch 2026 ({SOURCE})"
CULTURE_DAY_TOML = """
[[override]]
date = 2026-11-24
kind = "day_off"
name = "Ngày Văn hóa Việt Nam"
source = "Luật sửa đổi Bộ luật Lao động"
"""


def vn(y, m, d, hh=10, mm=0):
    """Build an instant in Vietnamese local time."""
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.from_file()


@pytest.fixture(scope="module")
def library_only():
    return WorkCalendar()


def test_tet_2026_due_is_10h_utc(cal):
    # Day 1 is Friday 13/02, Tết 14-22/02 skipped, day 7 is Monday 02/03: 17:00 in Hà Nội.
    assert cal.add_working_days(vn(2026, 2, 12, 16), 7) == datetime(2026, 3, 2, 10, tzinfo=UTC)


DAY_INFO = [
    pytest.param(date(2026, 1, 2), False, NEW_YEAR_OFF, id="02-01-2026"),
    pytest.param(
        date(2026, 1, 10), True, f"Làm bù cho thứ Sáu 02/01/2026 ({SOURCE})", id="10-01-2026"
    ),
    pytest.param(date(2026, 2, 14), False, "Thứ Bảy", id="saturday"),
    pytest.param(date(2026, 2, 15), False, "Chủ Nhật", id="sunday"),
    pytest.param(date(2026, 2, 17), False, "Tết Nguyên Đán", id="tet"),
    pytest.param(date(2026, 4, 27), False, "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)", id="hung-kings"),
    pytest.param(date(2025, 4, 26), True, "Ngày làm việc bù", id="26-04-2025"),
    pytest.param(date(2025, 5, 2), False, "Ngày nghỉ (thay cho ngày 26/04/2025)", id="02-05-2025"),
    pytest.param(date(2026, 8, 22), True, "Ngày làm việc bù", id="22-08-2026"),
    pytest.param(date(2026, 8, 31), False, "Ngày nghỉ (thay cho ngày 22/08/2026)", id="31-08-2026"),
    pytest.param(date(2026, 9, 1), False, "Quốc khánh", id="01-09-2026"),
    pytest.param(date(2026, 3, 10), True, "Ngày làm việc", id="ordinary"),
    pytest.param(
        date(2026, 11, 24),
        True,
        "Ngày làm việc (Ngày Văn hóa Việt Nam chưa là ngày nghỉ)",
        id="24-11-2026-ignored",
    ),
    # The library's Monday substitute for a Sunday 24/11 is ignored with it.
    pytest.param(
        date(2030, 11, 25),
        True,
        "Ngày làm việc (Ngày Văn hóa Việt Nam (nghỉ bù) chưa là ngày nghỉ)",
        id="25-11-2030-substitute-ignored",
    ),
]


@pytest.mark.parametrize(("day", "working", "reason"), DAY_INFO)
def test_day_info(cal, day, working, reason):
    info = cal.day_info(day)
    assert (info.date, info.working, info.reason) == (day, working, reason)


def test_holidays_0109_misses_the_2026_new_year_swap():
    # If this starts failing, the library learned the swap: the override is then redundant.
    lib = holidays.country_holidays("VN", years=2026)
    assert lib.is_working_day(date(2026, 1, 2))
    assert not lib.is_working_day(date(2026, 1, 10))


def test_without_the_override_file_the_2026_new_year_deadline_differs(cal, library_only):
    received = vn(2025, 12, 31)
    # Library only: 02/01 is worked, so 02/01, 05/01, 06/01 are counted.
    assert library_only.add_working_days(received, 3) == vn(2026, 1, 6, 17)
    # With the override: 01/01 and 02/01 off, so 05/01, 06/01, 07/01 are counted.
    assert cal.add_working_days(received, 3) == vn(2026, 1, 7, 17)
    # Library only: Saturday 10/01 is off, so day 1 after Friday 09/01 is Monday 12/01.
    assert library_only.add_working_days(vn(2026, 1, 9), 1) == vn(2026, 1, 12, 17)


def test_holidays_lists_24_11_2026_but_the_calendar_ignores_it(library_only):
    lib = holidays.country_holidays("VN", years=2026, language="vi")
    assert lib.get_list(date(2026, 11, 24)) == ["Ngày Văn hóa Việt Nam"]
    assert library_only.is_working_day(date(2026, 11, 24))


def test_24_11_2026_is_a_day_off_when_the_override_file_says_so(tmp_path):
    path = tmp_path / "overrides.toml"
    path.write_text(CULTURE_DAY_TOML, encoding="utf-8")
    with_culture_day = WorkCalendar.from_file(path)
    info = with_culture_day.day_info(date(2026, 11, 24))
    assert not info.working
    assert info.reason == "Ngày Văn hóa Việt Nam (Luật sửa đổi Bộ luật Lao động)"
    assert with_culture_day.add_working_days(vn(2026, 11, 23), 1) == vn(2026, 11, 25, 17)


def test_the_commented_24_11_example_in_the_override_file_is_valid_toml(tmp_path):
    text = DEFAULT_OVERRIDE_FILE.read_text(encoding="utf-8")
    example = text[text.rindex("# [[override]]") :].splitlines()
    path = tmp_path / "uncommented.toml"
    path.write_text("\n".join(line.removeprefix("# ") for line in example), encoding="utf-8")
    assert not WorkCalendar.from_file(path).is_working_day(date(2026, 11, 24))


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        pytest.param(vn(2026, 3, 10, 8), 2, vn(2026, 3, 10, 10), id="within-morning"),
        pytest.param(vn(2026, 3, 10, 10), 3, vn(2026, 3, 10, 14, 30), id="across-lunch"),
        pytest.param(vn(2026, 3, 10, 12), 1, vn(2026, 3, 10, 14), id="start-at-lunch"),
        pytest.param(vn(2026, 3, 13, 16), 2, vn(2026, 3, 16, 8, 30), id="across-weekend"),
        pytest.param(vn(2026, 3, 13, 16), 1, vn(2026, 3, 13, 17), id="ends-at-close"),
        pytest.param(vn(2026, 3, 14, 10), 1, vn(2026, 3, 16, 8, 30), id="from-saturday"),
        pytest.param(vn(2026, 2, 13, 16), 2, vn(2026, 2, 23, 8, 30), id="across-tet"),
        pytest.param(vn(2026, 3, 10, 7, 30), 8, vn(2026, 3, 10, 17), id="full-day"),
        pytest.param(
            vn(2026, 3, 10, 11), timedelta(minutes=90), vn(2026, 3, 10, 14), id="timedelta"
        ),
    ],
)
def test_add_working_hours(cal, start, hours, end):
    assert cal.add_working_hours(start, hours) == end


@pytest.mark.parametrize(
    ("a", "b", "worked"),
    [
        pytest.param(vn(2026, 2, 13, 16), vn(2026, 2, 23, 8, 30), timedelta(hours=2), id="tet"),
        pytest.param(
            vn(2025, 4, 29, 7, 30), vn(2025, 5, 6, 7, 30), timedelta(hours=16), id="30-04-2025"
        ),
        pytest.param(
            vn(2026, 1, 9, 16), vn(2026, 1, 12, 8, 30), timedelta(hours=10), id="working-sat"
        ),
        pytest.param(vn(2026, 3, 10, 11), vn(2026, 3, 10, 14), timedelta(hours=1.5), id="lunch"),
        pytest.param(vn(2026, 3, 10, 14), vn(2026, 3, 10, 11), timedelta(0), id="reversed"),
        pytest.param(vn(2026, 3, 10, 14), vn(2026, 3, 10, 14), timedelta(0), id="equal"),
    ],
)
def test_working_time_between(cal, a, b, worked):
    assert cal.working_time_between(a, b) == worked


@pytest.mark.parametrize(
    ("moment", "instant"),
    [
        pytest.param(vn(2026, 3, 10, 9), vn(2026, 3, 10, 9), id="inside"),
        pytest.param(vn(2026, 3, 10, 6), vn(2026, 3, 10, 7, 30), id="before-opening"),
        pytest.param(vn(2026, 3, 10, 11, 30), vn(2026, 3, 10, 13), id="at-lunch-start"),
        pytest.param(vn(2026, 3, 10, 17), vn(2026, 3, 11, 7, 30), id="at-close"),
        pytest.param(vn(2026, 3, 13, 18), vn(2026, 3, 16, 7, 30), id="friday-evening"),
        pytest.param(vn(2026, 2, 13, 18), vn(2026, 2, 23, 7, 30), id="before-tet"),
    ],
)
def test_next_working_instant(cal, moment, instant):
    assert cal.next_working_instant(moment) == instant


@pytest.mark.parametrize(
    ("event", "n", "due"),
    [
        pytest.param(vn(2026, 3, 9), 10, vn(2026, 3, 19, 17), id="ordinary"),
        pytest.param(vn(2026, 3, 4), 10, vn(2026, 3, 16, 17), id="ends-saturday"),
        pytest.param(vn(2026, 2, 5), 10, vn(2026, 2, 23, 17), id="ends-in-tet"),
        pytest.param(vn(2025, 12, 23), 10, vn(2026, 1, 5, 17), id="ends-on-02-01-2026"),
    ],
)
def test_add_calendar_days(cal, event, n, due):
    assert cal.add_calendar_days(event, n) == due


def test_year_listing_2026(cal):
    listing = [(info.date, info.working) for info in cal.year_listing(2026)]
    off = [(1, 1), (1, 2), *((2, d) for d in range(16, 21)), (4, 27), (4, 30), (5, 1)]
    off += [(8, 31), (9, 1), (9, 2)]
    expected = {(date(2026, m, d), False) for m, d in off}
    expected |= {(date(2026, 1, 10), True), (date(2026, 8, 22), True)}
    assert listing == sorted(expected)


def test_format_year_2026(cal):
    table = cal.format_year(2026)
    assert table.startswith("Lịch làm việc năm 2026")
    assert f"10/01/2026  Thứ Bảy   Làm việc    Làm bù cho thứ Sáu 02/01/2026 ({SOURCE})" in table
    assert "24/11/2026" not in table


NAIVE = datetime(2026, 3, 10, 10)
AWARE = vn(2026, 3, 10)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.add_working_days(NAIVE, 1), id="add_working_days"),
        pytest.param(lambda c: c.add_working_hours(NAIVE, 1), id="add_working_hours"),
        pytest.param(lambda c: c.working_time_between(NAIVE, AWARE), id="between-a"),
        pytest.param(lambda c: c.working_time_between(AWARE, NAIVE), id="between-b"),
        pytest.param(lambda c: c.next_working_instant(NAIVE), id="next_working_instant"),
        pytest.param(lambda c: c.add_calendar_days(NAIVE, 1), id="add_calendar_days"),
        pytest.param(lambda c: c.first_counted_day(NAIVE), id="first_counted_day"),
        pytest.param(lambda c: c.clock_start(NAIVE), id="clock_start"),
        pytest.param(lambda c: c.explain_working_days(NAIVE, 1), id="explain_working_days"),
    ],
)
def test_naive_datetimes_are_rejected(cal, call):
    with pytest.raises(ValueError, match="naive"):
        call(cal)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: Override(date(2026, 1, 2), "holiday", "x", "y"), id="bad-kind"),
        pytest.param(lambda: Override(date(2026, 1, 2), "day_off", "x", ""), id="no-source"),
        pytest.param(lambda: Override("2026-01-02", "day_off", "x", "y"), id="string-date"),
        pytest.param(
            lambda: WorkCalendar([Override(date(2026, 1, 2), "day_off", "x", "y")] * 2),
            id="duplicate-date",
        ),
        pytest.param(
            lambda: WorkingHours(periods=((time(13), time(17)), (time(7, 30), time(11, 30)))),
            id="unordered-periods",
        ),
        pytest.param(lambda: WorkingHours(workdays=frozenset()), id="no-workdays"),
        pytest.param(lambda: WorkCalendar().add_working_days(AWARE, -1), id="negative-days"),
        pytest.param(lambda: WorkCalendar().add_working_hours(AWARE, -1), id="negative-hours"),
    ],
)
def test_invalid_configuration_is_refused(build):
    with pytest.raises(ValueError):
        build()


def test_override_file_with_a_missing_key_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[[override]]\ndate = 2026-01-02\nkind = "day_off"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="name, source"):
        WorkCalendar.from_file(path)


def test_default_override_file_lives_in_config():
    repo = Path(__file__).resolve().parents[2]
    assert repo / "config" / "calendar_overrides.toml" == DEFAULT_OVERRIDE_FILE


def test_configured_hours_and_cutoff_are_used():
    hours = WorkingHours(periods=((time(8), time(12)), (time(13), time(16))), cutoff=time(11))
    agency = WorkCalendar(hours=hours)
    # Day count: Tuesday 10/03 is not counted, Wednesday 11/03 is day 1, closing at 16:00.
    assert agency.add_working_days(vn(2026, 3, 10, 11, 30), 1) == vn(2026, 3, 11, 16)
    # One-stop: 11:30 is after this cut-off (11:00), so the clock starts Wednesday 08:00.
    assert agency.add_working_days(vn(2026, 3, 10, 11, 30), 1, "one_stop") == vn(2026, 3, 11, 16)
    assert agency.add_working_hours(vn(2026, 3, 10, 15), 2) == vn(2026, 3, 11, 9)


def test_the_library_is_built_once_per_year(monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    calendar_explain.library_year.cache_clear()
    monkeypatch.setattr(calendar_explain.holidays, "country_holidays", counting)
    try:
        for _ in range(3):
            fresh = WorkCalendar.from_file()
            for day in range(2, 20):
                fresh.add_working_days(vn(2026, 3, day), 5)
    finally:
        calendar_explain.library_year.cache_clear()
    assert len(calls) == 1
