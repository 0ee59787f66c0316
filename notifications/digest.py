"""Place an item in a person's daily digest: the next working day's chosen local hour."""

from datetime import UTC, datetime, time, timedelta

from engine.calendar import WorkCalendar


def next_digest_at(cal: WorkCalendar, hour: int, after: datetime) -> datetime:
    """Return the first instant strictly after ``after`` at ``hour`` local time on a working day."""
    day = after.astimezone(cal.tz).date()
    while True:
        candidate = datetime.combine(day, time(hour), cal.tz)
        if candidate > after and cal.is_working_day(day):
            return candidate.astimezone(UTC)
        day += timedelta(days=1)


def digest_key(user_id: str, at: datetime, cal: WorkCalendar) -> str:
    """Name one person's digest of one local day; it is also the key of its job."""
    return f"digest:{user_id}:{at.astimezone(cal.tz).date().isoformat()}"
