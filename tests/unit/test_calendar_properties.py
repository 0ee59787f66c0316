"""Check WorkCalendar's counting laws on random instants from 2024 to 2027."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import WorkCalendar

CAL = WorkCalendar.from_file()
CLOSE = CAL.hours.close
ZONE = ZoneInfo(CAL.hours.tz)

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)
day_counts = st.integers(min_value=0, max_value=60)
work_spans = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))
# Bounded so the file runs in a few seconds; no example database left in the repo.
FEW = settings(max_examples=150, deadline=None, database=None)


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZONE)


@FEW
@given(instants, day_counts, st.booleans())
def test_due_is_the_close_of_a_working_day(start, n, cutoff):
    due = local(CAL.add_working_days(start, n, cutoff=cutoff))
    assert due.time() == CLOSE
    assert CAL.is_working_day(due.date())
    # The last working second belongs to a working period.
    just_before = due - timedelta(seconds=1)
    assert CAL.next_working_instant(just_before) == just_before
    assert due.date() >= local(start).date()


@FEW
@given(instants, day_counts, day_counts, st.booleans())
def test_more_days_never_end_earlier(start, n, m, cutoff):
    fewer, more = sorted((n, m))
    due_fewer = CAL.add_working_days(start, fewer, cutoff=cutoff)
    due_more = CAL.add_working_days(start, more, cutoff=cutoff)
    assert due_fewer <= due_more
    assert (due_fewer == due_more) == (fewer == more)


@FEW
@given(instants, day_counts, st.booleans())
def test_counting_back_gives_n(start, n, cutoff):
    anchor = CAL.effective_receipt(start, cutoff=cutoff)
    due_day = local(CAL.add_working_days(start, n, cutoff=cutoff)).date()
    after_anchor = (anchor + timedelta(days=i) for i in range(1, (due_day - anchor).days + 1))
    assert sum(CAL.is_working_day(day) for day in after_anchor) == n


@FEW
@given(instants, day_counts)
def test_the_cutoff_never_brings_a_deadline_forward(start, n):
    assert CAL.add_working_days(start, n, cutoff=False) <= CAL.add_working_days(start, n)


@FEW
@given(instants, work_spans)
def test_adding_hours_then_measuring_them_round_trips(start, span):
    end = CAL.add_working_hours(start, span)
    assert end.tzinfo == UTC
    assert CAL.working_time_between(start, end) == span
    assert end >= start


@FEW
@given(instants, day_counts)
def test_explanation_agrees_with_the_count(start, n):
    explained = CAL.explain_working_days(start, n)
    assert explained.due == CAL.add_working_days(start, n)
    assert len(explained.counted_days) == n
    assert all(CAL.is_working_day(day) for day in explained.counted_days)
    assert all(not info.working for info in explained.skipped_days)


@FEW
@given(start=instants, hours=st.integers(min_value=0, max_value=200))
def test_subtracting_working_hours_undoes_adding_them(start, hours):
    """Going back h working hours from t leaves exactly h working hours up to t."""
    end = CAL.next_working_instant(start)
    earlier = CAL.subtract_working_hours(end, hours)
    assert CAL.working_time_between(earlier, end) == timedelta(hours=hours)
