"""Name the period a report covers: a local month, any range of local dates, or the year to date."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.errors import Invalid

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Local dates ``first`` to ``last`` inclusive, and the UTC instants [start, end) they span."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), self.tz).astimezone(UTC)

    @property
    def label(self) -> str:
        """Say ``2026-11`` for a whole month, ``2026-11-03..2026-11-20`` otherwise."""
        if self.first.day == 1 and (self.last + timedelta(days=1)).day == 1 \
                and self.first.replace(day=1) == self.last.replace(day=1):
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def previous_month(self) -> "Period":
        """Return the whole month before the month this period starts in."""
        before = self.first.replace(day=1) - timedelta(days=1)
        return month_of(before.year, before.month, self.tz)

    def next_month(self) -> "Period":
        """Return the whole month after the month this period ends in."""
        after = self.last.replace(day=28) + timedelta(days=4)
        return month_of(after.year, after.month, self.tz)

    def year_to_date(self) -> "Period":
        """Return 1 January of the period's last year through its last day: the year-end basis."""
        return Period(date(self.last.year, 1, 1), self.last, self.tz)

    def as_dict(self) -> dict:
        return {"label": self.label, "first": self.first.isoformat(), "last": self.last.isoformat(),
                "start": self.start.isoformat(), "end": self.end.isoformat()}


def month_of(year: int, month: int, tz: ZoneInfo) -> Period:
    """Return a whole local month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), tz)


def parse_month(text: str, tz: ZoneInfo) -> Period:
    """Read ``YYYY-MM``; anything else is a 422 naming the expected form."""
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Invalid("Tháng báo cáo phải có dạng YYYY-MM, ví dụ 2026-11", {"month": "Không hợp lệ"})
    return month_of(int(match.group(1)), int(match.group(2)), tz)


def parse_range(first: str, last: str, tz: ZoneInfo) -> Period:
    """Read two ISO dates, the first not after the last, at most 366 days apart."""
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except (TypeError, ValueError):
        fields = {"from": "Không hợp lệ", "to": "Không hợp lệ"}
        raise Invalid("Ngày phải có dạng YYYY-MM-DD", fields) from None
    if a > b or (b - a).days > 366:
        raise Invalid("Khoảng thời gian không hợp lệ: từ ngày phải trước đến ngày, tối đa 366 ngày",
                      {"from": "Không hợp lệ"})
    return Period(a, b, tz)
