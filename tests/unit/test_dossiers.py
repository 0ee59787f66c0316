"""The dossier aggregate: national status codes, the one-stop promise, pauses and the 766 verdict.

Instants are written in Vietnam time (UTC+7); every expected instant is counted by hand in a
comment, on the standard hours 07:30-11:30 and 13:00-17:00 with Tết 2026 off 14-22/02.
"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from engine.calendar import WorkCalendar
from engine.dossiers import (
    Dossier,
    DossierStatus,
    Verdict,
    is_code,
    mask_name,
    one_stop_due,
    public_code,
)
from engine.errors import Conflict, Invalid

VN = timezone(timedelta(hours=7))
CAL = WorkCalendar.from_file()
S = DossierStatus


def vn(day: int, month: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=VN)


def received(at: datetime, days: int = 3) -> Dossier:
    dossier = Dossier.submit("BN-SXD-260210-0001", "i-1", "1.001612", Decimal(days), "SXD", at, "desk")
    dossier.move_to(S.RECEIVED, at, "desk", CAL)
    return dossier


def test_every_status_has_its_national_code_and_vietnamese_label():
    assert [(int(s), s.label) for s in (S.SUBMITTED, S.REFUSED, S.RETURNED)] == [
        (1, "Mới đăng ký"), (3, "Không được tiếp nhận"), (10, "Đã trả kết quả")]
    assert len({s.label for s in S}) == 10


@pytest.mark.parametrize("at, days, due", [
    # Monday 09/03 10:00, 3 working days = 24 working hours: due Thursday 12/03 10:00.
    (vn(9, 3, 10), 3, vn(12, 3, 10)),
    # 15:00:00 is not after the cut-off: the clock starts then; 8 h = 2 h Monday + 6 h Tuesday
    # (07:30-11:30, 13:00-15:00): due Tuesday 10/03 15:00.
    (vn(9, 3, 15), 1, vn(10, 3, 15)),
    # 15:00:01 is after it: the clock starts Tuesday 07:30; 8 h later is Tuesday 17:00.
    (vn(9, 3, 15, 0, 1), 1, vn(10, 3, 17)),
    # Thursday 12/02 16:00 with 7: starts Friday 13/02 07:30 (8 h), Tết off 14-22/02,
    # 23, 24, 25, 26, 27/02 and 02/03 give 48 h more: due Monday 02/03 17:00.
    (vn(12, 2, 16), 7, vn(2, 3, 17)),
    # Lunch break 12:00: the clock starts at 13:00; 8 h = 4 h + 4 h next morning: 11:30.
    (vn(9, 3, 12), 1, vn(10, 3, 11, 30)),
])
def test_the_promise_follows_the_one_stop_appointment_model(at, days, due):
    assert one_stop_due(CAL, at, days) == due


def test_the_desk_receipt_sets_received_and_promised_instants():
    dossier = received(vn(10, 2, 9))
    # Tuesday 10/02 09:00 + 24 h: 6.5 h Tue, 8 Wed, 8 Thu, 1.5 h Fri from 07:30 = Fri 13/02 09:00.
    assert (dossier.received_at, dossier.promised_at) == (vn(10, 2, 9), vn(13, 2, 9))
    assert [(e.from_status, e.to_status) for e in dossier.events] == [(None, 1), (1, 2)]


def test_a_supplement_over_tet_pauses_the_clock_and_moves_the_promise():
    dossier = received(vn(10, 2, 9))
    dossier.move_to(S.IN_PROCESS, vn(10, 2, 10), "sxd", CAL)
    dossier.move_to(S.SUPPLEMENT_REQUESTED, vn(12, 2, 10), "sxd", CAL)
    dossier.move_to(S.IN_PROCESS, vn(24, 2, 14), "desk", CAL)
    # Paused Thu 12/02 10:00 -> Tue 24/02 14:00: 5.5 h Thu, 8 Fri, Tết, 8 Mon 23, 5 h Tue = 26.5 h.
    assert dossier.paused == timedelta(hours=26.5)
    # Fri 13/02 09:00 + 26.5 h: 6.5 Fri, 8 Mon 23, 8 Tue 24, 4 h Wed 25 from 07:30 = 11:30.
    assert dossier.promised_at == vn(25, 2, 11, 30)
    dossier.move_to(S.DONE, vn(25, 2, 11), "sxd", CAL)
    assert (dossier.finished_at, dossier.verdict(vn(26, 2, 8))) == (vn(25, 2, 11), Verdict.ON_TIME)


def test_a_second_supplement_request_is_late_under_766_whatever_the_dates():
    dossier = received(vn(10, 2, 9))
    for day in (10, 11):
        dossier.move_to(S.SUPPLEMENT_REQUESTED, vn(day, 2, 10), "sxd", CAL)
        dossier.move_to(S.IN_PROCESS, vn(day, 2, 11), "desk", CAL)
    dossier.move_to(S.DONE, vn(11, 2, 14), "sxd", CAL)
    assert dossier.supplement_count == 2
    assert dossier.verdict(vn(11, 2, 15)) == Verdict.LATE


def test_finishing_after_the_promise_is_late_and_the_first_end_point_counts():
    dossier = received(vn(10, 2, 9))
    dossier.move_to(S.DONE, vn(13, 2, 9, 0, 1), "sxd", CAL)  # one second after Fri 09:00
    dossier.move_to(S.RETURNED, vn(23, 2, 8), "desk", CAL)
    assert dossier.finished_at == vn(13, 2, 9, 0, 1)
    assert dossier.verdict(vn(23, 2, 9)) == Verdict.LATE


def test_a_running_dossier_is_in_time_then_overdue():
    dossier = received(vn(10, 2, 9))
    assert dossier.verdict(vn(13, 2, 9)) == Verdict.IN_TIME
    assert dossier.verdict(vn(13, 2, 9, 0, 1)) == Verdict.OVERDUE


def test_a_closed_dossier_takes_no_further_status():
    dossier = received(vn(10, 2, 9))
    dossier.move_to(S.WITHDRAWN, vn(11, 2, 9), "desk", CAL)
    with pytest.raises(Conflict):
        dossier.move_to(S.IN_PROCESS, vn(11, 2, 10), "sxd", CAL)


def test_a_process_that_jumps_to_processing_still_passes_through_received():
    dossier = Dossier.submit("BN-VPDKDD-260210-0001", "i-2", "1.012757", Decimal(20), "VPDKDD",
                             vn(10, 2, 9), "desk")
    dossier.move_to(S.IN_PROCESS, vn(10, 2, 9), "desk", CAL)
    assert [e.to_status for e in dossier.events] == [1, 2, 4]
    assert dossier.received_at == vn(10, 2, 9)


def test_one_apology_no_later_than_one_working_day_before_the_promise():
    dossier = received(vn(10, 2, 9))  # promised Fri 13/02 09:00
    # One working day (8 h) before Fri 13/02 09:00 is Thu 12/02 09:00.
    assert dossier.apology_deadline(CAL) == vn(12, 2, 9)
    dossier.apologise(vn(25, 2, 17), vn(12, 2, 9), "head", CAL, "Cần xác minh thêm thực địa")
    assert (dossier.promised_at, dossier.apologised_at) == (vn(25, 2, 17), vn(12, 2, 9))
    with pytest.raises(Conflict, match="một lần"):
        dossier.apologise(vn(26, 2, 17), vn(12, 2, 10), "head", CAL, "Lần hai")


def test_an_apology_after_the_limit_or_without_a_later_date_is_refused():
    dossier = received(vn(10, 2, 9))
    with pytest.raises(Conflict, match="Quá thời điểm"):
        dossier.apologise(vn(25, 2, 17), vn(12, 2, 9, 0, 1), "head", CAL, "Muộn")
    with pytest.raises(Invalid):
        dossier.apologise(vn(13, 2, 8), vn(11, 2, 9), "head", CAL, "Sớm hơn")


def test_reaching_the_promise_without_an_apology_is_recorded_late_once():
    dossier = received(vn(10, 2, 9))
    assert not dossier.promised_instant_reached(vn(13, 2, 8, 59), "system")
    assert dossier.promised_instant_reached(vn(13, 2, 9), "system")
    assert not dossier.promised_instant_reached(vn(13, 2, 10), "system")
    assert (dossier.apology_missing, dossier.verdict(vn(13, 2, 10))) == (True, Verdict.LATE)
    assert dossier.events[-1].type == "dossier.apology_missed"


def test_codes_masks_and_shapes():
    assert public_code("BN", "SXD", vn(12, 2, 9).date(), 1) == "BN-SXD-260212-0001"
    assert is_code("BN-UBND_KINHBAC-260212-0042") and not is_code("BN-SXD-2602-1")
    assert mask_name("Nguyễn Văn An") == "N*** V*** A***"


def test_the_apology_reminder_comes_one_working_day_before_the_last_instant_to_apologise():
    dossier = received(vn(10, 2, 9))  # promised Fri 13/02 09:00, apology by Thu 12/02 09:00
    # One working day before Thu 12/02 09:00 is Wed 11/02 09:00.
    assert dossier.apology_reminder_at(CAL) == vn(11, 2, 9)
    assert not dossier.remind_apology(vn(11, 2, 8, 59), "system", CAL)
    assert dossier.remind_apology(vn(11, 2, 9), "system", CAL)
    dossier.apologise(vn(20, 2, 17), vn(11, 2, 10), "head", CAL, "Cần xác minh thêm")
    assert not dossier.remind_apology(vn(11, 2, 11), "system", CAL)  # apologised already
