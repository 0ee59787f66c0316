"""Check WorkCalendar's counting laws on random instants from 2024 to 2027."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.calendar import DEFAULT_OVERRIDE_FILE, DeadlineModel, WorkCalendar, WorkingHours, load_overrides

CAL = WorkCalendar.from_file()
CLOSE = CAL.hours.close
ZONE = ZoneInfo(CAL.hours.tz)

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)
day_counts = st.integers(min_value=0, max_value=60)
periods = st.integers(min_value=1, max_value=60)  # a legal period is at least one day
models = st.sampled_from(list(DeadlineModel))
work_spans = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))
# Bounded so the file runs in a few seconds; no example database left in the repo.
FEW = settings(max_examples=150, deadline=None, database=None)


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZONE)


# A desk with its own hours: 08:00-12:00, 13:30-17:30, dossiers taken until 16:00.
DESK_HOURS = WorkingHours(periods=((time(8), time(12)), (time(13, 30), time(17, 30))), cutoff=time(16))
PROVINCE = WorkCalendar(load_overrides(DEFAULT_OVERRIDE_FILE), WorkingHours(), {"SXD": DESK_HOURS})
DESK = PROVINCE.for_agency("SXD")
calendars = st.sampled_from([CAL, DESK])


def after_cutoff_or_day_off(cal: WorkCalendar, moment: datetime) -> bool:
    here = local(moment)
    return not cal.is_working_day(here.date()) or here.time() > cal.hours.cutoff


@FEW
@given(calendars, instants, periods)
def test_both_models_agree_after_the_cutoff_or_on_a_day_off(cal, start, n):
    assume(after_cutoff_or_day_off(cal, start))
    one_stop = cal.add_working_days(start, n, DeadlineModel.ONE_STOP)
    assert one_stop == cal.add_working_days(start, n, DeadlineModel.DAY_COUNT)


@FEW
@given(calendars, instants, periods, models)
def test_one_more_day_ends_on_the_next_working_day(cal, start, n, model):
    due = local(cal.add_working_days(start, n, model)).date()
    assert local(cal.add_working_days(start, n + 1, model)).date() == cal.next_working_day(due)


@FEW
@given(calendars, instants, day_counts, models)
def test_no_due_date_falls_on_a_day_off(cal, start, n, model):
    due = local(cal.add_working_days(start, n, model))
    assert cal.is_working_day(due.date())
    # The due instant is inside a working period or at its end, never in the small hours.
    just_before = due - timedelta(seconds=1)
    assert n == 0 or cal.next_working_instant(just_before) == just_before


@FEW
@given(instants, periods)
def test_a_day_count_ends_at_the_close_of_working_day_n_after_the_receipt_date(start, n):
    due = local(CAL.add_working_days(start, n))
    assert due.time() == CLOSE
    receipt = local(start).date()
    after_receipt = (receipt + timedelta(days=i) for i in range(1, (due.date() - receipt).days + 1))
    assert sum(CAL.is_working_day(day) for day in after_receipt) == n


@FEW
@given(instants, periods)
def test_a_one_stop_period_is_n_working_days_of_working_time_from_the_clock_start(start, n):
    begin, _ = CAL.clock_start(start)
    due = CAL.add_working_days(start, n, DeadlineModel.ONE_STOP)
    assert CAL.working_time_between(begin, due) == n * CAL.hours.day_length
    assert begin >= start


@FEW
@given(instants, day_counts, day_counts, models)
def test_more_days_never_end_earlier(start, n, m, model):
    fewer, more = sorted((n, m))
    due_fewer = CAL.add_working_days(start, fewer, model)
    due_more = CAL.add_working_days(start, more, model)
    assert due_fewer <= due_more
    assert (due_fewer == due_more) == (fewer == more)


@FEW
@given(instants, periods)
def test_the_cutoff_never_brings_a_one_stop_deadline_forward(start, n):
    without = CAL.add_working_days(start, n, DeadlineModel.ONE_STOP, cutoff=False)
    assert without <= CAL.add_working_days(start, n, DeadlineModel.ONE_STOP)


@FEW
@given(instants, work_spans)
def test_adding_hours_then_measuring_them_round_trips(start, span):
    end = CAL.add_working_hours(start, span)
    assert end.tzinfo == UTC
    assert CAL.working_time_between(start, end) == span
    assert end >= start


@FEW
@given(instants, day_counts, models)
def test_explanation_agrees_with_the_count(start, n, model):
    explained = CAL.explain_working_days(start, n, model)
    assert explained.due == CAL.add_working_days(start, n, model)
    assert explained.model == model
    first = explained.first_counted_day
    assert first is None or (CAL.is_working_day(first) and first >= local(start).date())
    assert all(not info.working for info in explained.skipped_days)
    assert all(local(start).date() < info.date < local(explained.due).date()
               for info in explained.skipped_days)


@FEW
@given(start=instants, hours=st.integers(min_value=0, max_value=200))
def test_subtracting_working_hours_undoes_adding_them(start, hours):
    """Going back h working hours from t leaves exactly h working hours up to t."""
    end = CAL.next_working_instant(start)
    earlier = CAL.subtract_working_hours(end, hours)
    assert CAL.working_time_between(earlier, end) == timedelta(hours=hours)
