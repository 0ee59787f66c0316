"""The two counting models on real 2025-2026 dates, each due date counted by hand.

Day count (default): the receipt day is never counted; day 1 is the first working day after
it, whatever the hour; due at 17:00 of day N. One-stop appointment: the clock starts at the
receipt, at the next working period when outside hours, at the next working day's 07:30
when strictly after 15:00:00 or on a day off; N working days are N x 8 working hours.
"""

import shlex
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import DEFAULT_OVERRIDE_FILE, DeadlineModel, WorkCalendar, WorkingHours

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY, ONE = DeadlineModel.DAY_COUNT, DeadlineModel.ONE_STOP


def vn(y, m, d, hh=10, mm=0, ss=0):
    """Build an instant in Vietnamese local time."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.from_file()


# (received, N, day-count due, one-stop due), local time.
TABLE = [
    # Tết 2025: Sat 25/01 to Sun 02/02 off (Mon 27 to Fri 31 are the holiday).
    # Day count: day 1 Fri 24/01; 03, 04, 05, 06/02 are days 2-5. One-stop after 15:00:
    # clock Fri 24/01 07:30, 40 h = 24/01 + four days = 06/02 17:00.
    pytest.param(vn(2025, 1, 23, 16), 5, vn(2025, 2, 6, 17), vn(2025, 2, 6, 17), id="tet-2025-16h00"),
    # One-stop from Thu 23/01 10:00: 5.5 h that day, 8 h on 24/01, 03, 04, 05/02 (37.5 h),
    # 2.5 h on 06/02 from 07:30: 10:00. Day count ignores the hour: 06/02 17:00.
    pytest.param(vn(2025, 1, 23, 10), 5, vn(2025, 2, 6, 17), vn(2025, 2, 6, 10), id="tet-2025-10h00"),
    # 30/4-1/5 2025: Sat 26/04 is worked, Wed 30/04, Thu 01/05, Fri 02/05 are off.
    # Day count: day 1 Sat 26/04 (make-up), day 2 Mon 28/04. One-stop from Fri 14:59:
    # 2 h 01 Fri, 8 h Sat 26/04, 5 h 59 on Mon 28/04 (4 h to 11:30, 1 h 59 from 13:00): 14:59.
    pytest.param(vn(2025, 4, 25, 14, 59), 2, vn(2025, 4, 28, 17), vn(2025, 4, 28, 14, 59),
                 id="30-04-2025-make-up-saturday-14h59"),
    # Tue 29/04/2025 16:59: 30/04, 01/05, 02/05, 03/05, 04/05 off, so day 1 Mon 05/05,
    # day 2 Tue 06/05. One-stop: after the cut-off, clock Mon 05/05 07:30, 16 h: 06/05 17:00.
    pytest.param(vn(2025, 4, 29, 16, 59), 2, vn(2025, 5, 6, 17), vn(2025, 5, 6, 17),
                 id="30-04-2025-16h59"),
    # Received on the holiday Wed 30/04/2025: day 1 Mon 05/05 in both models.
    pytest.param(vn(2025, 4, 30, 9), 1, vn(2025, 5, 5, 17), vn(2025, 5, 5, 17), id="on-30-04-2025"),
    # 2/9/2025 with its bridge: Mon 01/09 and Tue 02/09 off. Fri 29/08 15:00:00 is not after
    # the cut-off: one-stop 2 h Fri, then 6 h from Wed 03/09 07:30 (4 h, lunch, 2 h): 15:00.
    # Day count: Sat, Sun, Mon, Tue off, day 1 Wed 03/09.
    pytest.param(vn(2025, 8, 29, 15), 1, vn(2025, 9, 3, 17), vn(2025, 9, 3, 15),
                 id="2-9-2025-15h00-exact"),
    # 15:00:01 is strictly after the cut-off: the one-stop clock waits for Wed 03/09 07:30.
    pytest.param(vn(2025, 8, 29, 15, 0, 1), 1, vn(2025, 9, 3, 17), vn(2025, 9, 3, 17),
                 id="2-9-2025-15h00m01"),
    # New Year 2026: Thu 01/01 and Fri 02/01 off, Sat 10/01 worked (Công văn 12729/VPCP-KGVX).
    # Wed 31/12/2025 16:59: 01, 02, 03, 04/01 off, day 1 Mon 05/01, day 2 Tue 06/01.
    pytest.param(vn(2025, 12, 31, 16, 59), 2, vn(2026, 1, 6, 17), vn(2026, 1, 6, 17),
                 id="new-year-2026-16h59"),
    # Received on the swapped-off Fri 02/01/2026: 05, 06, 07, 08, 09/01 are days 1-5.
    pytest.param(vn(2026, 1, 2, 9), 5, vn(2026, 1, 9, 17), vn(2026, 1, 9, 17), id="on-02-01-2026"),
    # Fri 09/01/2026 14:59, 1 day: day 1 is the make-up Saturday 10/01. One-stop: 2 h 01 Fri,
    # 5 h 59 on Sat 10/01 (4 h to 11:30, 1 h 59 from 13:00): 14:59 on Saturday.
    pytest.param(vn(2026, 1, 9, 14, 59), 1, vn(2026, 1, 10, 17), vn(2026, 1, 10, 14, 59),
                 id="due-on-make-up-saturday-10-01-2026"),
    # Received on the make-up Saturday 10/01/2026 at 16:00 (a working day, after the cut-off):
    # day 1 Mon 12/01, day 2 Tue 13/01; one-stop clock Mon 07:30, 16 h: Tue 17:00.
    pytest.param(vn(2026, 1, 10, 16), 2, vn(2026, 1, 13, 17), vn(2026, 1, 13, 17),
                 id="on-make-up-saturday-16h00"),
    # Received Sat 10/01/2026 10:00, inside its hours: one-stop 5.5 h Sat + 2.5 h Mon: 10:00.
    pytest.param(vn(2026, 1, 10, 10), 1, vn(2026, 1, 12, 17), vn(2026, 1, 12, 10),
                 id="on-make-up-saturday-10h00"),
    # Ordinary Saturday 03/01/2026: days 05, 06, 07, 08, 09/01, Sat 10/01 (6), Mon 12/01 (7).
    pytest.param(vn(2026, 1, 3, 10), 7, vn(2026, 1, 12, 17), vn(2026, 1, 12, 17),
                 id="on-saturday-03-01-2026"),
    # Tết 2026: Sat 14/02 to Sun 22/02 off. Thu 12/02 16:00, 7 days: day 1 Fri 13/02, then
    # 23, 24, 25, 26, 27/02 and Mon 02/03 (day 7). The issue's own example, both models.
    pytest.param(vn(2026, 2, 12, 16), 7, vn(2026, 3, 2, 17), vn(2026, 3, 2, 17), id="tet-2026-16h00"),
    # Same day at 10:00: the day count is the same; one-stop 5.5 h Thu, 8 h Fri 13/02, 40 h
    # for 23-27/02, 2.5 h on Mon 02/03: 10:00.
    pytest.param(vn(2026, 2, 12, 10), 7, vn(2026, 3, 2, 17), vn(2026, 3, 2, 10), id="tet-2026-10h00"),
    # Fri 13/02/2026 15:00:00, 10 days: day 1 Mon 23/02 ... 23-27/02, 02-06/03: day 10 Fri 06/03.
    # One-stop: 2 h Fri 13/02, 72 h for 23/02-05/03, 6 h on 06/03 (4 h, lunch, 2 h): 15:00.
    pytest.param(vn(2026, 2, 13, 15), 10, vn(2026, 3, 6, 17), vn(2026, 3, 6, 15),
                 id="tet-2026-friday-15h00"),
    # Received during Tết, Tue 17/02/2026: day 1 Mon 23/02; 23-27/02, 02-06/03, 09-13/03:
    # day 15 Fri 13/03.
    pytest.param(vn(2026, 2, 17, 9), 15, vn(2026, 3, 13, 17), vn(2026, 3, 13, 17), id="during-tet-2026"),
    # Ordinary days, March 2026 (Mon 09/03). Monday 10:00 with 3: day count Thu 12/03 17:00,
    # one-stop Thu 12/03 10:00 (the example).
    pytest.param(vn(2026, 3, 9, 10), 3, vn(2026, 3, 12, 17), vn(2026, 3, 12, 10), id="monday-10h00"),
    # Tue 10/03 at 14:59, 15:00:00, 15:00:01 with 1 day: day count always Wed 11/03 17:00.
    # One-stop: 2 h 01 Tue + 5 h 59 Wed = 14:59; 2 h + 6 h = 15:00; after the cut-off, Wed
    # 07:30 + 8 h = 17:00.
    pytest.param(vn(2026, 3, 10, 14, 59), 1, vn(2026, 3, 11, 17), vn(2026, 3, 11, 14, 59), id="14h59"),
    pytest.param(vn(2026, 3, 10, 15), 1, vn(2026, 3, 11, 17), vn(2026, 3, 11, 15), id="15h00m00"),
    pytest.param(vn(2026, 3, 10, 15, 0, 1), 1, vn(2026, 3, 11, 17), vn(2026, 3, 11, 17), id="15h00m01"),
    # 16:59 with 2: day 1 Wed 11/03, day 2 Thu 12/03; one-stop from Wed 07:30, 16 h.
    pytest.param(vn(2026, 3, 10, 16, 59), 2, vn(2026, 3, 12, 17), vn(2026, 3, 12, 17), id="16h59"),
    # 17:00 with 10: 11, 12, 13, 16, 17, 18, 19, 20, 23, 24/03.
    pytest.param(vn(2026, 3, 10, 17), 10, vn(2026, 3, 24, 17), vn(2026, 3, 24, 17), id="17h00"),
    # 22:00 with 5: 11, 12, 13, 16, 17/03.
    pytest.param(vn(2026, 3, 10, 22), 5, vn(2026, 3, 17, 17), vn(2026, 3, 17, 17), id="22h00"),
    # Saturday 14/03 with 5: Monday 16/03 is day 1, Friday 20/03 day 5.
    pytest.param(vn(2026, 3, 14, 9), 5, vn(2026, 3, 20, 17), vn(2026, 3, 20, 17), id="saturday"),
    # 2/9/2026: Sat 22/08 worked, Mon 31/08, Tue 01/09, Wed 02/09 off. Thu 27/08 22:00 with 5:
    # day 1 Fri 28/08, then Thu 03/09, Fri 04/09, Mon 07/09, Tue 08/09 (day 5).
    pytest.param(vn(2026, 8, 27, 22), 5, vn(2026, 9, 8, 17), vn(2026, 9, 8, 17), id="2-9-2026-22h00"),
    # Fri 21/08/2026 17:00 with 1: day 1 is the make-up Saturday 22/08.
    pytest.param(vn(2026, 8, 21, 17), 1, vn(2026, 8, 22, 17), vn(2026, 8, 22, 17),
                 id="2-9-2026-make-up-saturday"),
    # Received on the make-up Saturday 22/08/2026 at 10:00 with 15: day 1 Mon 24/08; 24-28/08
    # (5), 31/08-02/09 off, 03, 04/09 (7), 07-11/09 (12), 14, 15, 16/09 (15). One-stop:
    # 5.5 h Sat, 112 h over 24/08-15/09 (14 days), 2.5 h on Wed 16/09: 10:00.
    pytest.param(vn(2026, 8, 22, 10), 15, vn(2026, 9, 16, 17), vn(2026, 9, 16, 10),
                 id="on-make-up-saturday-22-08-2026"),
]


@pytest.mark.parametrize(("received", "n", "day_count_due", "one_stop_due"), TABLE)
def test_both_models_on_hand_counted_dates(cal, received, n, day_count_due, one_stop_due):
    assert cal.add_working_days(received, n) == day_count_due
    assert cal.add_working_days(received, n, DAY) == day_count_due
    assert cal.add_working_days(received, n, ONE) == one_stop_due


@pytest.mark.parametrize(("received", "n", "day_count_due", "one_stop_due"), TABLE)
def test_explanations_agree_with_the_counts(cal, received, n, day_count_due, one_stop_due):
    assert cal.explain_working_days(received, n, DAY).due == day_count_due
    assert cal.explain_working_days(received, n, ONE).due == one_stop_due


def test_the_day_count_ignores_the_hour_of_receipt(cal):
    # 10:00, 15:00:01 and 16:00 on Thursday 12/02/2026 all give Monday 02/03/2026 17:00.
    dues = {cal.add_working_days(vn(2026, 2, 12, h, m, s), 7) for h, m, s in
            [(10, 0, 0), (15, 0, 1), (16, 0, 0), (23, 59, 59)]}
    assert dues == {vn(2026, 3, 2, 17)}


@pytest.mark.parametrize(("received", "start", "why"), [
    pytest.param(vn(2026, 3, 9, 10), vn(2026, 3, 9, 10), "in_hours", id="in-hours"),
    pytest.param(vn(2026, 3, 9, 6), vn(2026, 3, 9, 7, 30), "outside_hours", id="before-opening"),
    pytest.param(vn(2026, 3, 9, 12), vn(2026, 3, 9, 13), "outside_hours", id="lunch"),
    pytest.param(vn(2026, 3, 9, 15, 0, 1), vn(2026, 3, 10, 7, 30), "cutoff", id="after-cutoff"),
    pytest.param(vn(2026, 2, 13, 18), vn(2026, 2, 23, 7, 30), "cutoff", id="friday-before-tet"),
    pytest.param(vn(2026, 1, 2, 9), vn(2026, 1, 5, 7, 30), "non_working", id="on-02-01-2026"),
])
def test_the_one_stop_clock_starts_where_the_desk_would(cal, received, start, why):
    assert cal.clock_start(received) == (start, why)


def test_an_online_dossier_without_cutoff_starts_the_clock_at_once(cal):
    # deadline_cutoff="false": Tue 10/03/2026 16:00 starts at 16:00; 1 h Tue + 7 h Wed
    # (4 h to 11:30, 3 h from 13:00) = Wednesday 11/03 16:00.
    assert cal.add_working_days(vn(2026, 3, 10, 16), 1, ONE, cutoff=False) == vn(2026, 3, 11, 16)


def test_zero_days(cal):
    # Day count: the close of the receipt day, or of the next working day after a late or
    # day-off receipt; one-stop: the clock's start.
    assert cal.add_working_days(vn(2026, 3, 10, 10), 0) == vn(2026, 3, 10, 17)
    assert cal.add_working_days(vn(2026, 3, 14, 10), 0) == vn(2026, 3, 16, 17)
    assert cal.add_working_days(vn(2026, 3, 10, 10), 0, ONE) == vn(2026, 3, 10, 10)


def test_an_unknown_model_is_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(vn(2026, 3, 10), 1, "calendar")


# An agency whose desk opens 08:00-12:00 and 13:30-17:30 and takes dossiers until 16:00.
SXD_HOURS = WorkingHours(periods=((time(8), time(12)), (time(13, 30), time(17, 30))), cutoff=time(16))


def test_one_stop_at_agency_hours_that_differ_from_the_province():
    province = WorkCalendar.from_file()
    agency = WorkCalendar(hours=SXD_HOURS)
    received = vn(2026, 2, 12, 15, 30)  # Thursday, before Tết
    # Agency: 15:30 is before its 16:00 cut-off, so the clock starts at once: 2 h Thu to
    # 17:30, 8 h Fri 13/02, Tết, then 4 h Mon 23/02 to 12:00 and 2 h from 13:30: 15:30.
    assert agency.add_working_days(received, 2, ONE) == vn(2026, 2, 23, 15, 30)
    # Province: 15:30 is after 15:00, so Fri 13/02 07:30 + 16 h = Mon 23/02 17:00.
    assert province.add_working_days(received, 2, ONE) == vn(2026, 2, 23, 17)
    # The day count closes at the agency's own close of business: day 2 Mon 23/02, 17:30.
    assert agency.add_working_days(received, 2, DAY) == vn(2026, 2, 23, 17, 30)


EXPLAINED_DAY_COUNT = (
    "Cách tính: đếm theo ngày (Bộ luật Dân sự 2015, Điều 147–148)."
    " Tiếp nhận lúc 15:00:01 ngày 12/02/2026 (Thứ Năm); ngày tiếp nhận không được tính, dù"
    " tiếp nhận trước hay sau giờ cắt 15:00. Ngày làm việc thứ nhất: 13/02/2026."
    " Ngày nghỉ không tính trong thời hạn: 14/02/2026 (Thứ Bảy), 15/02/2026 (Chủ Nhật),"
    " 16/02/2026 (Giao thừa Tết Nguyên Đán), 17/02/2026 (Tết Nguyên Đán), 18/02/2026 (Mùng"
    " hai Tết Nguyên Đán), 19/02/2026 (Mùng ba Tết Nguyên Đán), 20/02/2026 (Mùng bốn Tết"
    " Nguyên Đán), 21/02/2026 (Thứ Bảy), 22/02/2026 (Chủ Nhật), 28/02/2026 (Thứ Bảy),"
    " 01/03/2026 (Chủ Nhật). Hạn xử lý: 17:00 ngày 02/03/2026, cuối ngày làm việc thứ 7."
)


def test_a_15h00m01_receipt_is_explained_exactly_by_the_day_count(cal):
    explained = cal.explain_working_days(vn(2026, 2, 12, 15, 0, 1), 7)
    assert explained.text_vi == EXPLAINED_DAY_COUNT
    assert explained.model == DAY and explained.clock_start is None
    assert explained.first_counted_day == date(2026, 2, 13)
    assert [i.date.day for i in explained.skipped_days] == [*range(14, 23), 28, 1]
    assert explained.due == datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_a_15h00m01_receipt_is_explained_exactly_by_the_one_stop_model(cal):
    explained = cal.explain_working_days(vn(2026, 3, 10, 15, 0, 1), 1, ONE)
    assert explained.text_vi == (
        "Cách tính: hẹn trả theo giờ làm việc của bộ phận một cửa (Nghị định 118/2025/NĐ-CP;"
        " Phiếu hẹn mẫu 01, Thông tư 01/2018/TT-VPCP). Tiếp nhận lúc 15:00:01 ngày 10/03/2026"
        " (Thứ Ba), sau giờ cắt 15:00 nên thời hạn tính từ đầu ngày làm việc tiếp theo."
        " Bắt đầu tính: 07:30 ngày 11/03/2026, ngày làm việc thứ nhất. Không có ngày nghỉ xen"
        " giữa. 1 ngày làm việc = 8 giờ làm việc (8 giờ mỗi ngày). Hẹn trả kết quả: 17:00 ngày"
        " 11/03/2026."
    )
    assert explained.cutoff_applied and explained.clock_start == vn(2026, 3, 11, 7, 30)


def test_the_explanation_reads_in_order(cal):
    # Received Friday 13/02/2026, the eve of Tết: day 1 is 23/02, and the days off before it
    # are named as such, after day 1 and before the due date, never as "counted from" days.
    text = cal.explain_working_days(vn(2026, 2, 13, 10), 7).text_vi
    marks = ["Cách tính", "Tiếp nhận lúc 10:00 ngày 13/02/2026", "Ngày làm việc thứ nhất: 23/02/2026",
             "Ngày nghỉ không tính trước ngày thứ nhất: 14/02/2026 (Thứ Bảy)",
             "Ngày nghỉ không tính trong thời hạn: 28/02/2026", "Hạn xử lý: 17:00 ngày 03/03/2026"]
    positions = [text.index(mark) for mark in marks]
    assert positions == sorted(positions)


def test_a_holiday_receipt_names_the_holiday(cal):
    text = cal.explain_working_days(vn(2026, 1, 2, 9), 1, ONE).text_vi
    assert "(Thứ Sáu, ngày nghỉ: Nghỉ bù Tết Dương lịch 2026 (Công văn 12729/VPCP-KGVX))" in text
    assert "vào ngày nghỉ nên thời hạn tính từ đầu ngày làm việc tiếp theo" in text


AGENCY_TOML = """
[working_hours]
periods = [["07:30", "11:30"], ["13:00", "17:00"]]
cutoff = "15:00"

[agency.SXD.working_hours]
periods = [["08:00", "12:00"], ["13:30", "17:30"]]

[[override]]
date = 2026-01-10
kind = "working_day"
name = "Làm bù cho thứ Sáu 02/01/2026"
source = "Công văn 12729/VPCP-KGVX"
"""


def test_agency_hours_come_from_the_override_file_and_fall_back_to_the_province(tmp_path):
    path = tmp_path / "lich.toml"
    path.write_text(AGENCY_TOML, encoding="utf-8")
    province = WorkCalendar.from_file(path)
    sxd = province.for_agency("SXD")
    assert sxd.hours.periods == ((time(8), time(12)), (time(13, 30), time(17, 30)))
    assert sxd.hours.cutoff == time(15) and sxd.hours.tz == "Asia/Ho_Chi_Minh"  # the province's
    assert province.for_agency("STC") is province and province.for_agency(None) is province
    # Day count on SXD's hours: Tuesday 10/03 not counted, Wednesday 11/03 closes at 17:30.
    assert sxd.add_working_days(vn(2026, 3, 10, 16), 1) == vn(2026, 3, 11, 17, 30)
    assert sxd.is_working_day(date(2026, 1, 10))  # the province's overrides hold for SXD


def test_the_commented_agency_example_in_the_override_file_is_valid(tmp_path):
    text = DEFAULT_OVERRIDE_FILE.read_text(encoding="utf-8")
    start = text.index("# [agency.SXD.working_hours]")
    example = text[start:text.index("\n\n", start)].splitlines()
    path = tmp_path / "uncommented.toml"
    path.write_text("\n".join(line.removeprefix("# ") for line in example), encoding="utf-8")
    assert WorkCalendar.from_file(path).for_agency("SXD").hours == SXD_HOURS


@pytest.mark.parametrize("text", [
    '[agency.SXD.working_hours]\nlunch = "11:30"\n',
    '[agency.SXD]\nhours = 8\n',
    '[agency.SXD.working_hours]\nperiods = [["13:00", "17:00"], ["07:30", "11:30"]]\n',
], ids=["unknown-hours-key", "unknown-agency-key", "unordered-periods"])
def test_bad_agency_hours_are_refused(tmp_path, text):
    path = tmp_path / "lich.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        WorkCalendar.from_file(path)


def test_agency_hours_are_part_of_the_fingerprint():
    plain = WorkCalendar()
    assert WorkCalendar(agency_hours={"SXD": SXD_HOURS}).fingerprint != plain.fingerprint
    assert WorkCalendar(agency_hours={}).fingerprint == plain.fingerprint


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_examples() -> list[list[str]]:
    """Return the cells of the README's worked-examples table."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("Worked examples"):text.index("dunghan deadline --from")]
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ")]
    return [[cell.strip().strip("*") for cell in row] for row in rows[1:]]  # without the header


def local_instant(text: str) -> datetime:
    """Read 'Thu 12/02/2026 16:00' or '... 15:00:01' as Hà Nội time."""
    _, day, clock = text.split()
    return datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M:%S" if clock.count(":") == 2
                             else "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def test_the_readme_worked_examples_are_what_the_calendar_counts(cal):
    examples = readme_examples()
    assert len(examples) >= 6
    for received, n, day_count, one_stop, _how in examples:
        start = local_instant(received)
        assert cal.add_working_days(start, int(n), DAY) == local_instant(day_count), received
        assert cal.add_working_days(start, int(n), ONE) == local_instant(one_stop), received


def test_the_readme_cli_examples_print_what_they_say():
    from click.testing import CliRunner

    from service.cli import main

    lines = README.read_text(encoding="utf-8").splitlines()
    examples = [(line, lines[i + 1].removeprefix("# ")) for i, line in enumerate(lines)
                if line.startswith(".venv/bin/dunghan deadline")]
    assert len(examples) == 2
    for command, expected in examples:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0 and result.output.splitlines()[0] == expected
