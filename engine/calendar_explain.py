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
_NEXT_DAY = "nên tính từ ngày làm việc tiếp theo"


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
    """Record how a working-day deadline was reached, day by day."""

    start: datetime  # the receipt instant, in UTC
    effective_receipt: date  # the anchor: not counted itself, counting starts after it
    cutoff_applied: bool  # True when the cut-off moved the anchor to the next working day
    counted_days: tuple[date, ...]
    skipped_days: tuple[DayInfo, ...]  # non-working days between the anchor and the due date
    due: datetime  # in UTC
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
    """Format a clock time as 17:00."""
    return clock.strftime("%H:%M")


def receipt_sentence(
    received: datetime, why: str, anchor: date, receipt_day: DayInfo, hours: WorkingHours
) -> str:
    """Say when the dossier was received and which day the count is anchored on."""
    head = f"Tiếp nhận lúc {hm(received)} ngày {dmy(received.date())}"
    tail = f"{_NEXT_DAY} ({dmy(anchor)})."
    if why == "non_working":
        return f"{head}, vào ngày nghỉ ({receipt_day.reason}) {tail}"
    if why == "cutoff":
        return f"{head}, sau giờ cắt {hm(hours.cutoff)} {tail}"
    if why == "after_close":
        return f"{head}, sau giờ làm việc ({hm(hours.close)}) {tail}"
    return f"{head}, trong ngày làm việc nên ngày tiếp nhận là {dmy(anchor)}."


def counting_sentence(counted: tuple[date, ...], skipped: tuple[DayInfo, ...]) -> str:
    """Say which working days were counted and which days were skipped, with reasons."""
    if not counted:
        return "Thời hạn 0 ngày làm việc: hết hạn trong ngày tiếp nhận."
    span = f"đếm {len(counted)} ngày làm việc từ {dmy(counted[0])} đến {dmy(counted[-1])}"
    if not skipped:
        return f"Không tính ngày tiếp nhận; {span}, không có ngày nghỉ xen giữa."
    listed = ", ".join(f"{dmy(info.date)} ({info.reason})" for info in skipped)
    return f"Không tính ngày tiếp nhận; {span}, bỏ qua: {listed}."


def due_sentence(due_local: datetime) -> str:
    """Say the due instant in local time."""
    return f"Hạn xử lý: {hm(due_local)} ngày {dmy(due_local.date())}."


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
