"""Decide why each day is a working day or not, and say it in Vietnamese.

`engine.calendar` does the time arithmetic; this module owns the reasons: the dated override
file, the `holidays` library's view of Vietnam, and the Vietnamese wording of deadlines.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from engine.calendar import WorkingHours

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
# `holidays` lists these from 2026, but they are not law until the Labour Code says so:
# only an override entry can make them a day off (DOMAIN.md, 24/11).
IGNORED_LIBRARY_HOLIDAYS = frozenset({"Ngày Văn hóa Việt Nam"})
OVERRIDE_KINDS = {"day_off": False, "working_day": True}


@dataclass(frozen=True)
class DayInfo:
    """State whether one date is a working day and why, in Vietnamese."""

    date: date
    working: bool
    reason: str


@dataclass(frozen=True)
class Override:
    """Record one dated decision of the authorities that wins over the library."""

    date: date
    kind: str  # "day_off" or "working_day"
    name: str
    source: str  # the legal document, e.g. "Công văn 12729/VPCP-KGVX"

    def __post_init__(self):
        if type(self.date) is not date:
            raise ValueError(f"override date must be a date, got {self.date!r}")
        if self.kind not in OVERRIDE_KINDS:
            raise ValueError(f"override {self.date}: kind must be one of {sorted(OVERRIDE_KINDS)}")
        if not self.name or not self.source:
            raise ValueError(f"override {self.date}: name and source are required")


@dataclass(frozen=True)
class Explanation:
    """Record how a working-day deadline was reached, in the order a clerk reads it."""

    model: str  # "day_count" or "one_stop"
    start: datetime  # the receipt instant, in UTC
    clock_start: datetime | None  # one-stop: when the clock started, in UTC; day count: None
    first_counted_day: date | None  # day 1 (None for a 0-day period counted by days)
    skipped_days: tuple[DayInfo, ...]  # non-working days after the receipt date, before the due date
    due: datetime  # in UTC
    cutoff_applied: bool  # one-stop: the receipt was after the cut-off, so the clock waited
    text_vi: str


def load_overrides(path: Path | str) -> list[Override]:
    """Read the [[override]] entries of a TOML override file."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("override", [])
    try:
        return [Override(**entry) for entry in entries]
    except TypeError as exc:  # a missing or misspelt key
        raise ValueError(f"{path}: each override needs date, kind, name, source ({exc})") from exc


@cache
def library_year(year: int) -> tuple[dict[date, tuple[str, ...]], frozenset[date]]:
    """Return the library's holiday names and swapped working weekend days for one year."""
    # Neighbouring years too: a swap announced for year Y can move a Saturday of year Y-1.
    lib = holidays.country_holidays("VN", years=range(year - 1, year + 2), language="vi")
    names = {day: tuple(lib.get_list(day)) for day in lib if day.year == year}
    return names, frozenset(day for day in lib.weekend_workdays if day.year == year)


def decide_day(
    day: date, override: Override | None, names: tuple[str, ...], swapped: bool, workdays
) -> DayInfo:
    """Decide one day: override first, then library swap or holiday, then the weekly rule."""
    if override is not None:
        reason = f"{override.name} ({override.source})"
        return DayInfo(day, OVERRIDE_KINDS[override.kind], reason)
    if swapped:
        return DayInfo(day, True, "Ngày làm việc bù")
    # Startswith also drops the library's "(nghỉ bù)" substitute of an ignored holiday.
    kept = [n for n in names if not n.startswith(tuple(IGNORED_LIBRARY_HOLIDAYS))]
    if kept:
        return DayInfo(day, False, "; ".join(kept))
    if day.weekday() not in workdays:
        return DayInfo(day, False, WEEKDAY_NAMES[day.weekday()])
    if names:  # only ignored names: say so, an official will ask why it is not a day off
        return DayInfo(day, True, f"Ngày làm việc ({'; '.join(names)} chưa là ngày nghỉ)")
    return DayInfo(day, True, "Ngày làm việc")


def dmy(day: date) -> str:
    """Format a date the Vietnamese way, 03/03/2026."""
    return day.strftime("%d/%m/%Y")


def hm(clock: datetime | time) -> str:
    """Format a clock time as 17:00, with the seconds when there are any (15:00:01)."""
    if clock.microsecond:
        return clock.strftime("%H:%M:%S,%f").rstrip("0")
    return clock.strftime("%H:%M:%S" if clock.second else "%H:%M")


DAY_COUNT_BASIS = "đếm theo ngày (Bộ luật Dân sự 2015, Điều 147–148)"
ONE_STOP_BASIS = ("hẹn trả theo giờ làm việc của bộ phận một cửa (Nghị định 118/2025/NĐ-CP;"
                  " Phiếu hẹn mẫu 01, Thông tư 01/2018/TT-VPCP)")


def _received(local: datetime, receipt_day: DayInfo) -> str:
    weekday = WEEKDAY_NAMES[local.weekday()]
    off = "" if receipt_day.working else f", ngày nghỉ: {receipt_day.reason}"
    return f"Tiếp nhận lúc {hm(local)} ngày {dmy(local.date())} ({weekday}{off})"


def _skipped(skipped: tuple[DayInfo, ...], first: date) -> str:
    """List the days off in date order, saying which came before day 1 and which inside."""
    if not skipped:
        return "Không có ngày nghỉ xen giữa."
    groups = [("trước ngày thứ nhất", [i for i in skipped if i.date < first]),
              ("trong thời hạn", [i for i in skipped if i.date > first])]
    return " ".join(f"Ngày nghỉ không tính {label}: "
                    + ", ".join(f"{dmy(i.date)} ({i.reason})" for i in days) + "."
                    for label, days in groups if days)


def day_count_text(local: datetime, receipt_day: DayInfo, first: date | None, n: int,
                   skipped: tuple[DayInfo, ...], due: datetime, hours: WorkingHours) -> str:
    """Say how a day count went: model, receipt, day 1, days skipped, due."""
    parts = [
        f"Cách tính: {DAY_COUNT_BASIS}.",
        f"{_received(local, receipt_day)}; ngày tiếp nhận không được tính, dù tiếp nhận trước"
        f" hay sau giờ cắt {hm(hours.cutoff)}.",
    ]
    if n == 0:
        parts.append("Thời hạn 0 ngày làm việc: hết hạn cuối ngày tiếp nhận, hoặc cuối ngày làm"
                     " việc tiếp theo nếu tiếp nhận vào ngày nghỉ hay sau giờ làm việc.")
    else:
        parts.append(f"Ngày làm việc thứ nhất: {dmy(first)}.")
        parts.append(_skipped(skipped, first))
    end = f", cuối ngày làm việc thứ {n}" if n else ""
    parts.append(f"Hạn xử lý: {hm(due)} ngày {dmy(due.date())}{end}.")
    return " ".join(parts)


ONE_STOP_WHY = {
    "in_hours": "trong giờ làm việc nên thời hạn tính ngay từ lúc tiếp nhận",
    "outside_hours": "ngoài giờ làm việc nên thời hạn tính từ đầu buổi làm việc tiếp theo",
    "non_working": "vào ngày nghỉ nên thời hạn tính từ đầu ngày làm việc tiếp theo",
}


def one_stop_text(local: datetime, receipt_day: DayInfo, begin: datetime, why: str, n: int,
                  skipped: tuple[DayInfo, ...], due: datetime, hours: WorkingHours) -> str:
    """Say how a one-stop appointment went: model, receipt, clock start, days skipped, due."""
    if why == "cutoff":
        reason = (f"sau giờ cắt {hm(hours.cutoff)} nên thời hạn tính từ đầu ngày làm việc"
                  " tiếp theo")
    else:
        reason = ONE_STOP_WHY[why]
    span = hours.day_length.total_seconds() / 3600
    return " ".join([
        f"Cách tính: {ONE_STOP_BASIS}.",
        f"{_received(local, receipt_day)}, {reason}.",
        f"Bắt đầu tính: {hm(begin)} ngày {dmy(begin.date())}, ngày làm việc thứ nhất.",
        _skipped(skipped, begin.date()),
        f"{n} ngày làm việc = {n * span:g} giờ làm việc ({span:g} giờ mỗi ngày).",
        f"Hẹn trả kết quả: {hm(due)} ngày {dmy(due.date())}.",
    ])


def year_table(year: int, listing: list[DayInfo]) -> str:
    """Lay out a year's exceptional days as a plain-text table for the command line."""
    lines = [
        f"Lịch làm việc năm {year}: ngày nghỉ trong tuần và ngày làm việc cuối tuần",
        f"{'Ngày':<12}{'Thứ':<10}{'Trạng thái':<12}Lý do",
    ]
    for info in listing:
        status = "Làm việc" if info.working else "Nghỉ"
        weekday = WEEKDAY_NAMES[info.date.weekday()]
        lines.append(f"{dmy(info.date):<12}{weekday:<10}{status:<12}{info.reason}")
    if not listing:
        lines.append("(không có ngày ngoại lệ)")
    return "\n".join(lines)
