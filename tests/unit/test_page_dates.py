"""Pages say due dates in Vietnam time and Vietnamese words, counted in working time.

Now is 09:00 Thursday 12/02/2026 (Vietnam); Tết closes offices from Saturday 14/02 to
Sunday 22/02/2026, so Friday 13/02 is the last working day before Monday 23/02.
"""

from datetime import UTC, datetime

from engine.rules import default_rules
from service.pages.dates import Due, due_in, due_state, local_date

CAL = default_rules().calendar
NOW = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)  # 09:00 Thursday 12/02/2026 in Vietnam


def vn(day: int, month: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, month, day, hour - 7, minute, tzinfo=UTC).isoformat()


def test_dates_are_the_local_day_and_may_name_the_weekday():
    assert local_date("2026-02-26T10:00:00+00:00", CAL) == "26/02/2026"
    assert local_date(vn(12, 2, 9), CAL, weekday=True) == "Thứ Năm, 12/02/2026"
    # 23:30 UTC on the 12th is already the 13th in Vietnam.
    assert local_date("2026-02-12T23:30:00+00:00", CAL) == "13/02/2026"
    assert local_date(None, CAL) == "—"


def test_due_later_today_is_soon_and_says_the_working_hours_left():
    # 09:00-11:30 and 13:00-17:00: six and a half working hours.
    assert due_state(vn(12, 2, 17), NOW, CAL) == Due.SOON
    assert due_in(vn(12, 2, 17), NOW, CAL) == "Còn 6 giờ 30 phút làm việc"


def test_due_tomorrow_evening_is_more_than_one_working_day_away():
    # 6.5 hours today and 8 on Friday 13/02: one day and six and a half hours.
    assert due_state(vn(13, 2, 17), NOW, CAL) == Due.ON_TIME
    assert due_in(vn(13, 2, 17), NOW, CAL) == "Còn 1 ngày 6 giờ làm việc"


def test_tet_is_not_counted_in_the_time_left():
    # Friday 17:00 to Monday 23/02 11:30 skips the nine days of Tết: 14.5 + 4 hours.
    assert due_in(vn(23, 2, 11, 30), NOW, CAL) == "Còn 2 ngày 2 giờ làm việc"


def test_a_due_instant_reached_is_overdue_by_the_working_time_since():
    assert due_state(vn(12, 2, 9), NOW, CAL) == Due.OVERDUE
    # Due 17:00 Wednesday 11/02, now 09:00 Thursday: 1.5 working hours late.
    assert due_in(vn(11, 2, 17), NOW, CAL) == "Quá hạn 1 giờ 30 phút làm việc"
    assert due_in(vn(12, 2, 8), NOW, CAL) == "Quá hạn 1 giờ làm việc"
    evening = datetime.fromisoformat(vn(11, 2, 20))  # due at 18:00, read at 20:00 the same day
    assert due_in(vn(11, 2, 18), evening, CAL) == "Quá hạn (ngoài giờ làm việc)"


def test_a_paused_clock_and_no_deadline_say_so():
    assert due_state(vn(12, 2, 10), NOW, CAL, paused=True) == Due.PAUSED
    assert due_in(vn(12, 2, 10), NOW, CAL, paused=True) == "Đang tạm dừng tính hạn"
    assert due_state(None, NOW, CAL) == Due.NONE and due_in(None, NOW, CAL) == "Không có hạn"
