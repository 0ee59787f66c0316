"""Deadline rules from BPMN properties, and the pause/extension ledger replayed on a calendar.

A user task declares ``deadline`` in ``spiffworkflow:properties`` as ``"<amount> <unit>"``:
the amount is a sandboxed expression (a literal such as ``5`` or a variable such as
``reply_days``) and the unit is ``working_days``, ``working_hours`` or ``calendar_days``.
``deadline_model`` chooses how working days are counted: ``day_count`` (the default) or
``one_stop`` (engine.calendar explains both). ``deadline_cutoff="false"`` starts a one-stop
clock at any receipt inside working hours, even after the 15:00 cut-off (online dossiers).
``pause_approver`` names who may approve a request to pause the task's clock: ``lead`` (a
head of the instance's lead agency), ``own_head`` (a head of the task's agency) or ``none``
(the default: the clock never pauses).

A due date is never stored alone: it is always the replay of the rule and its ledger (pauses,
resumptions, one extension) on the calendar, so a changed override file can recompute it.
"""

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from numbers import Real

from engine.calendar import DeadlineModel, WorkCalendar
from engine.calendar_explain import dmy, hm


class Unit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


UNIT_WORDS = {
    Unit.WORKING_DAYS: "ngày làm việc",
    Unit.WORKING_HOURS: "giờ làm việc",
    Unit.CALENDAR_DAYS: "ngày",
}


class ChangeKind(enum.StrEnum):
    PAUSED = "paused"
    RESUMED = "resumed"
    # An approved pause request: the clock stops for ``working_days`` from the approval.
    PAUSE_GRANTED = "pause_granted"
    EXTENDED = "extended"
    RECOMPUTED = "recomputed"


@dataclass(frozen=True)
class Rule:
    """A deadline as a designer wrote it: an amount expression and a unit."""

    expression: str
    unit: Unit
    cutoff: bool = True
    model: DeadlineModel = DeadlineModel.DAY_COUNT


class PauseApprover(enum.StrEnum):
    LEAD = "lead"
    OWN_HEAD = "own_head"
    NONE = "none"


def parse_pause_approver(text: str | None) -> PauseApprover:
    """Read a ``pause_approver`` value (absent means none); raise ValueError in Vietnamese."""
    if text is None:
        return PauseApprover.NONE
    if text not in PauseApprover.__members__.values():
        raise ValueError(f"Người duyệt tạm dừng '{text}' không hợp lệ; dùng: {', '.join(PauseApprover)}")
    return PauseApprover(text)


def parse_model(text: str | None, unit: Unit = Unit.WORKING_DAYS) -> DeadlineModel:
    """Read a ``deadline_model`` value; raise ValueError with a Vietnamese reason."""
    if text is None:
        return DeadlineModel.DAY_COUNT
    if text not in DeadlineModel.__members__.values():
        raise ValueError(f"Cách tính thời hạn '{text}' không hợp lệ; dùng: {', '.join(DeadlineModel)}")
    if text == DeadlineModel.ONE_STOP and unit != Unit.WORKING_DAYS:
        raise ValueError("Cách tính 'one_stop' chỉ dùng với đơn vị working_days")
    return DeadlineModel(text)


def parse_rule(text: str, cutoff: str | None = None, model: str | None = None) -> Rule:
    """Read ``"<amount> <unit>"`` and its options; raise ValueError with a Vietnamese reason."""
    expression, _, unit = text.strip().rpartition(" ")
    if not expression.strip():
        raise ValueError(f"Thời hạn phải có dạng '<số> <đơn vị>', nhận được '{text}'")
    if unit not in Unit.__members__.values():
        raise ValueError(f"Đơn vị thời hạn '{unit}' không hợp lệ; dùng: {', '.join(Unit)}")
    literal = expression.strip().lstrip("+")
    if literal.startswith("-"):
        raise ValueError("Thời hạn không được âm")
    if cutoff not in (None, "true", "false"):
        raise ValueError("deadline_cutoff phải là 'true' hoặc 'false'")
    return Rule(expression.strip(), Unit(unit), cutoff != "false", parse_model(model, Unit(unit)))


def check_amount(value, unit: Unit) -> float | int:
    """Accept a non-negative number (whole for day units) or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"Thời hạn phải là một số, nhận được {value!r}")
    if value < 0:
        raise ValueError(f"Thời hạn không được âm ({value})")
    if unit != Unit.WORKING_HOURS and value != int(value):
        raise ValueError(f"Số ngày phải là số nguyên ({value})")
    return int(value) if unit != Unit.WORKING_HOURS else value


@dataclass(frozen=True)
class Deadline:
    """A rule evaluated for one task: how much time, in which unit, counted from when."""

    amount: float
    unit: Unit
    start: datetime
    cutoff: bool
    model: DeadlineModel = DeadlineModel.DAY_COUNT

    def to_json(self) -> dict:
        return {"amount": self.amount, "unit": self.unit, "start": self.start.isoformat(),
                "cutoff": self.cutoff, "model": self.model}

    @classmethod
    def from_json(cls, data: dict) -> "Deadline":
        # Rows written before the two models existed were day counts.
        return cls(data["amount"], Unit(data["unit"]), datetime.fromisoformat(data["start"]),
                   data["cutoff"], DeadlineModel(data.get("model", DeadlineModel.DAY_COUNT)))

    def base_due(self, cal: WorkCalendar) -> datetime:
        """Return the due instant before any pause or extension."""
        if self.unit == Unit.WORKING_DAYS:
            return cal.add_working_days(self.start, int(self.amount), self.model, self.cutoff)
        if self.unit == Unit.WORKING_HOURS:
            return cal.add_working_hours(self.start, self.amount)
        return cal.add_calendar_days(self.start, int(self.amount))


@dataclass(frozen=True)
class Change:
    """One ledger entry: a pause, a resumption or an extension (in working days)."""

    kind: ChangeKind
    at: datetime
    working_days: int = 0


@dataclass(frozen=True)
class Grant:
    """An extension approved in one task for another open task of the same instance.

    A user task declares it with ``extends`` (the other task's id) and ``extension``, an
    expression over its answer giving ``{"days": n, "reason": ..., "approved_by": ...}`` to
    approve, or None to refuse.
    """

    target: str
    working_days: int
    reason: str
    approved_by: str

    @classmethod
    def from_value(cls, target: str, value) -> "Grant | None":
        """Read the ``extension`` expression's value; raise ValueError when it is malformed."""
        if value is None:
            return None
        if not isinstance(value, dict) or not {"days", "reason", "approved_by"} <= set(value):
            raise ValueError("biểu thức 'extension' phải cho None hoặc {days, reason, approved_by}")
        days = check_amount(value["days"], Unit.WORKING_DAYS)
        if days < 1:
            raise ValueError("số ngày gia hạn phải từ 1")
        return cls(target, days, str(value["reason"]), str(value["approved_by"]))


@dataclass
class Replay:
    """The result of replaying a ledger: the due instant, and the open pause if any."""

    due: datetime
    paused_since: datetime | None = None
    paused_total: timedelta = field(default_factory=timedelta)
    extended_days: int = 0
    steps: list[str] = field(default_factory=list)


def replay(deadline: Deadline, changes: list[Change], cal: WorkCalendar) -> Replay:
    """Apply pauses, resumptions and the extension, in order, to the rule's base due date."""
    state = Replay(deadline.base_due(cal))
    for change in changes:
        if change.kind == ChangeKind.PAUSED:
            state.paused_since = change.at
        elif change.kind == ChangeKind.RESUMED and state.paused_since:
            _resume(state, change.at, cal)
        elif change.kind == ChangeKind.PAUSE_GRANTED:
            _grant_pause(state, change, deadline, cal)
        elif change.kind == ChangeKind.EXTENDED:
            # Counted from the current due date by the deadline's own model.
            state.due = cal.add_working_days(state.due, change.working_days, deadline.model,
                                             cutoff=False)
            state.extended_days += change.working_days
            state.steps.append(f"Gia hạn {change.working_days} ngày làm việc: hạn mới "
                               f"{_local_text(state.due, cal)}.")
    return state


def _resume(state: Replay, at: datetime, cal: WorkCalendar) -> None:
    paused = cal.working_time_between(state.paused_since, at)
    state.due = cal.add_working_hours(state.due, paused) if paused else state.due
    state.paused_total += paused
    state.steps.append(
        f"Tạm dừng từ {_local_text(state.paused_since, cal)} đến {_local_text(at, cal)} "
        f"({_hours(paused)} giờ làm việc): hạn lùi đến {_local_text(state.due, cal)}."
    )
    state.paused_since = None


def _grant_pause(state: Replay, change: Change, deadline: Deadline, cal: WorkCalendar) -> None:
    # Counted like an extension, from the current due date by the deadline's own model, so a
    # pause of N working days moves a 17:00 due date to 17:00 N working days later.
    moved = cal.add_working_days(state.due, change.working_days, deadline.model, cutoff=False)
    state.paused_total += cal.working_time_between(state.due, moved)
    state.due = moved
    state.steps.append(f"Tạm dừng {change.working_days} ngày làm việc theo đề nghị được duyệt lúc "
                       f"{_local_text(change.at, cal)}: hạn lùi đến {_local_text(state.due, cal)}.")


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:g}"


def _local_text(at: datetime, cal: WorkCalendar) -> str:
    local = at.astimezone(cal.tz)
    return f"{hm(local)} ngày {dmy(local.date())}"


def explain(deadline: Deadline, changes: list[Change], cal: WorkCalendar) -> dict:
    """Describe the whole computation: rule, cut-off, skipped days, ledger and final due."""
    state = replay(deadline, changes, cal)
    rule = f"{deadline.amount:g} {UNIT_WORDS[deadline.unit]}"
    body = {"start": deadline.start.isoformat(), "rule": rule, "unit": deadline.unit,
            "amount": deadline.amount, "model": deadline.model, "cutoff_enabled": deadline.cutoff,
            "cutoff_applied": False, "clock_start": None, "first_counted_day": None,
            "skipped_days": [], "base_due": None}
    if deadline.unit == Unit.WORKING_DAYS:
        counted = cal.explain_working_days(deadline.start, int(deadline.amount), deadline.model,
                                           deadline.cutoff)
        first = counted.first_counted_day
        body.update(cutoff_applied=counted.cutoff_applied, text=counted.text_vi,
                    clock_start=counted.clock_start and counted.clock_start.isoformat(),
                    first_counted_day=first and first.isoformat(),
                    skipped_days=[{"date": d.date.isoformat(), "reason": d.reason}
                                  for d in counted.skipped_days])
    else:
        body["text"] = (f"Bắt đầu tính từ {_local_text(deadline.start, cal)}; thời hạn {rule}: "
                        f"hạn {_local_text(deadline.base_due(cal), cal)}.")
    body["base_due"] = deadline.base_due(cal).isoformat()
    paragraph = " ".join([body["text"], *state.steps])
    if state.paused_since:
        paragraph += f" Đang tạm dừng từ {_local_text(state.paused_since, cal)}."
    body.update(due=state.due.isoformat(), paused=state.paused_since is not None,
                paused_working_hours=state.paused_total.total_seconds() / 3600,
                extended_working_days=state.extended_days, explanation_vi=paragraph)
    return body


def timer_helpers(cal: WorkCalendar, now: datetime) -> dict:
    """Return the script helpers that turn a legal period into an ISO instant for a timer.

    Each is the same `Deadline.base_due` a task's due date comes from, so a boundary timer and
    the task it guards agree to the second when the timer names the task's model and agency:
    ``due_in_working_days(7, model="one_stop", agency=lead_agency)``. The defaults are those
    of a task: the day count, on the province's hours.
    """

    def due(amount, unit: Unit, cutoff=True, model=DeadlineModel.DAY_COUNT, agency=None) -> str:
        deadline = Deadline(check_amount(amount, unit), unit, now, cutoff, parse_model(model, unit))
        return deadline.base_due(cal.for_agency(agency)).isoformat()

    def due_in_working_days(n, cutoff=True, model=DeadlineModel.DAY_COUNT, agency=None):
        return due(n, Unit.WORKING_DAYS, cutoff, model, agency)

    def due_in_working_hours(hours, agency=None):
        return due(hours, Unit.WORKING_HOURS, agency=agency)

    def due_in_calendar_days(n, agency=None):
        return due(n, Unit.CALENDAR_DAYS, agency=agency)

    return {f.__name__: f for f in (due_in_working_days, due_in_working_hours, due_in_calendar_days)}
