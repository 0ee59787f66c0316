"""Deadline rules from BPMN, ledger replay, timer helpers and the CLI, on real 2026 dates."""

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine import codec
from engine.calendar import DeadlineModel, WorkCalendar, WorkingHours
from engine.deadlines import Change, ChangeKind, Deadline, Rule, Unit, parse_rule, replay
from engine.errors import InvalidBpmn
from engine.escalation import LadderBook
from engine.instances import ProcessInstance
from engine.library import parse_definition
from engine.rules import Rules
from engine.services.persistence import script_engine
from service.cli import main

CAL = WorkCalendar.from_file()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("text", "rule"), [
    ("5 working_days", Rule("5", Unit.WORKING_DAYS)),
    ("reply_days working_days", Rule("reply_days", Unit.WORKING_DAYS)),
    ("16 working_hours", Rule("16", Unit.WORKING_HOURS)),
    ("max(reply_days, 3) calendar_days", Rule("max(reply_days, 3)", Unit.CALENDAR_DAYS)),
])
def test_rules_read_an_amount_expression_and_a_unit(text, rule):
    assert parse_rule(text) == rule


@pytest.mark.parametrize("text", ["5 weeks", "-1 working_days", "working_days", ""])
def test_bad_rules_are_refused(text):
    with pytest.raises(ValueError):
        parse_rule(text)


def test_cutoff_can_be_turned_off_per_task():
    assert parse_rule("5 working_days", "false").cutoff is False
    with pytest.raises(ValueError):
        parse_rule("5 working_days", "maybe")


def test_a_deadline_chooses_its_counting_model_and_defaults_to_the_day_count():
    assert parse_rule("5 working_days").model == DeadlineModel.DAY_COUNT
    assert parse_rule("5 working_days", model="one_stop").model == DeadlineModel.ONE_STOP
    with pytest.raises(ValueError, match="Cách tính thời hạn 'ngay_le'"):
        parse_rule("5 working_days", model="ngay_le")
    with pytest.raises(ValueError, match="working_days"):
        parse_rule("30 calendar_days", model="one_stop")


def test_deadlines_stored_before_the_models_existed_read_as_day_counts():
    stored = {"amount": 7, "unit": "working_days", "start": "2026-02-12T09:00:00+00:00", "cutoff": True}
    deadline = Deadline.from_json(stored)
    assert deadline.model == DeadlineModel.DAY_COUNT
    assert deadline.base_due(CAL) == utc(2026, 3, 2, 10)  # day 1 Fri 13/02, day 7 Mon 02/03
    one_stop = Deadline(7, Unit.WORKING_DAYS, utc(2026, 2, 12, 3), True, DeadlineModel.ONE_STOP)
    assert Deadline.from_json(one_stop.to_json()) == one_stop


def test_a_one_stop_extension_keeps_the_hour_of_the_appointment():
    # Received Mon 09/03/2026 10:00, 3 days: due Thu 12/03 10:00. Extended by 2 working days
    # of working time: 8 h to Fri 13/03 10:00, 8 h more to Mon 16/03 10:00.
    deadline = Deadline(3, Unit.WORKING_DAYS, utc(2026, 3, 9, 3), True, DeadlineModel.ONE_STOP)
    assert deadline.base_due(CAL) == utc(2026, 3, 12, 3)
    extended = replay(deadline, [Change(ChangeKind.EXTENDED, utc(2026, 3, 10, 3), 2)], CAL)
    assert extended.due == utc(2026, 3, 16, 3)


def test_pause_across_tet_moves_the_due_date_by_the_paused_working_time():
    deadline = Deadline(3, Unit.WORKING_DAYS, utc(2026, 2, 10, 2), cutoff=True)  # Tue 10/2 09:00
    assert deadline.base_due(CAL) == utc(2026, 2, 13, 10)  # 11, 12, 13/2
    paused = [Change(ChangeKind.PAUSED, utc(2026, 2, 12, 2)),     # Thu 12/2 09:00
              Change(ChangeKind.RESUMED, utc(2026, 2, 23, 2))]    # Mon 23/2 09:00, after Tết
    # Paused: 12/2 09:00–17:00 (6.5 h) + 13/2 (8 h) + 23/2 07:30–09:00 (1.5 h) = 16 h;
    # the nine days of Tết and weekends cost nothing. 13/2 17:00 + 16 h = 24/2 17:00.
    state = replay(deadline, paused, CAL)
    assert state.paused_total.total_seconds() == 16 * 3600
    assert state.due == utc(2026, 2, 24, 10)


def test_extension_counts_working_days_from_the_current_due_date():
    deadline = Deadline(5, Unit.WORKING_DAYS, utc(2025, 12, 29, 2), cutoff=True)  # Mon 29/12/2025
    # 30, 31/12; 1/1 and 2/1 (override) off; 5, 6, 7/1.
    assert deadline.base_due(CAL) == utc(2026, 1, 7, 10)
    extended = replay(deadline, [Change(ChangeKind.EXTENDED, utc(2026, 1, 5, 2), 3)], CAL)
    assert extended.due == utc(2026, 1, 10, 10)  # 8, 9/1 and Saturday 10/1, a working day


BOUNDARY_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="han_tra_loi" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>reply</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="reply" name="Trả lời"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="agency" value="lead_agency" />
      <spiffworkflow:property name="deadline" value="reply_days working_days" />
      {model_property}</spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="reply"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="t"><bpmn:timeDate>{timer}</bpmn:timeDate>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="expired"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply" />
    <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="expired" />
  </bpmn:process>
</bpmn:definitions>"""


def boundary(timer: str, model_property: str = "") -> bytes:
    return BOUNDARY_TEMPLATE.replace("{timer}", timer).replace("{model_property}", model_property).encode()


BOUNDARY = boundary("due_in_working_days(reply_days)").decode()


ONE_STOP_PROPERTY = '<spiffworkflow:property name="deadline_model" value="one_stop" />'


@pytest.mark.parametrize(("timer", "model_property", "now", "due"), [
    # Thursday 12/02/2026 16:00:17 in Hà Nội: day 1 Fri 13/02, Tết, day 7 Mon 02/03 17:00.
    pytest.param("due_in_working_days(reply_days)", "", utc(2026, 2, 12, 9, 0, 17),
                 utc(2026, 3, 2, 10), id="day-count"),
    # Thursday 12/02/2026 10:00 one-stop: 5.5 h Thu, 8 h Fri, 40 h 23-27/02, 2.5 h Mon 02/03.
    pytest.param("due_in_working_days(reply_days, model='one_stop')", ONE_STOP_PROPERTY,
                 utc(2026, 2, 12, 3), utc(2026, 3, 2, 3), id="one-stop"),
])
def test_boundary_timer_and_task_due_date_agree_to_the_second(timer, model_property, now, due):
    compiled = codec.load_spec(parse_definition(boundary(timer, model_property)).spec_json)
    engine = script_engine(Rules(CAL, LadderBook.from_file()), now)
    instance = ProcessInstance.start("i", "han_tra_loi", 1, compiled, engine, CAL,
                                     {"lead_agency": "STP", "reply_days": 7}, now, "test")
    [task] = instance.assigned.values()
    waiting = [t for t in instance.workflow.get_tasks(state=TaskState.WAITING)
               if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)]
    assert len(waiting) == 1
    timer_due = TimerEventDefinition.get_datetime(waiting[0].internal_data["event_value"])
    assert task.due_at == timer_due == due


@pytest.mark.parametrize(("timer", "model_property", "reason"), [
    ("due_in_working_days(reply_days)", '<spiffworkflow:property name="deadline_model" value="x" />',
     "Cách tính thời hạn 'x' không hợp lệ"),
    ("due_in_working_days(reply_days, model='mot_cua')", "", "Cách tính thời hạn 'mot_cua'"),
], ids=["task-property", "timer-helper"])
def test_upload_refuses_an_unknown_model(timer, model_property, reason):
    with pytest.raises(InvalidBpmn) as refused:
        parse_definition(boundary(timer, model_property))
    assert reason in str(refused.value.problems[0].reason)


def test_upload_refuses_a_boundary_timer_that_counts_otherwise_than_its_task():
    # The task is a one-stop appointment; the timer left the model out, so it would count days
    # and fire at another instant than the task's due date.
    with pytest.raises(InvalidBpmn) as refused:
        parse_definition(boundary("due_in_working_days(reply_days)", ONE_STOP_PROPERTY))
    [problem] = refused.value.problems
    assert problem.element_id == "late"
    assert "Hẹn giờ tính theo 'day_count' nhưng nhiệm vụ 'reply' tính theo 'one_stop'" in problem.reason
    # Naming a day count on a day-count task, or the model in a variable, is accepted.
    parse_definition(boundary("due_in_working_days(reply_days, model='day_count')"))
    parse_definition(boundary("due_in_working_days(reply_days, model=chosen_model)", ONE_STOP_PROPERTY))


def test_upload_refuses_a_model_without_a_deadline():
    text = boundary("due_in_working_days(reply_days)", ONE_STOP_PROPERTY).replace(
        b'<spiffworkflow:property name="deadline" value="reply_days working_days" />', b"")
    with pytest.raises(InvalidBpmn) as refused:
        parse_definition(text)
    assert "'deadline_model' cần đi kèm 'deadline'" in refused.value.problems[0].reason


def test_cli_lists_the_2026_calendar_with_the_new_year_swap():
    out = CliRunner().invoke(main, ["calendar", "2026"]).output
    assert "02/01/2026" in out and "10/01/2026" in out
    assert "Tết" in out


def test_cli_counts_the_issue_example_as_a_clerk_does_and_names_the_model():
    result = CliRunner().invoke(main, ["deadline", "--from", "2026-02-12 16:00", "--working-days", "7"])
    assert result.exit_code == 0
    # Day 1 Fri 13/02, Tết 14-22/02, days 2-7 on 23-27/02 and 02/03.
    assert "Hạn: 17:00 02/03/2026 (giờ Việt Nam), cách tính day_count" in result.output
    assert "Ngày làm việc thứ nhất: 13/02/2026." in result.output


@pytest.mark.parametrize(("start", "days", "due"), [
    ("2026-03-09 10:00", "3", "Hạn: 10:00 12/03/2026 (giờ Việt Nam), cách tính one_stop"),
    ("2026-02-12 16:00", "7", "Hạn: 17:00 02/03/2026 (giờ Việt Nam), cách tính one_stop"),
], ids=["monday-10h00", "tet-2026-16h00"])
def test_cli_counts_one_stop_appointments(start, days, due):
    result = CliRunner().invoke(main, ["deadline", "--from", start, "--working-days", days,
                                       "--model", "one_stop"])
    assert result.exit_code == 0 and due in result.output
    assert "Cách tính: hẹn trả theo giờ làm việc" in result.output


def test_cli_counts_on_an_agency_desk_hours_from_the_server_calendar_file(tmp_path):
    path = tmp_path / "lich.toml"
    path.write_text('[agency.SXD.working_hours]\nperiods = [["08:00", "12:00"], ["13:30", "17:30"]]\n'
                    'cutoff = "16:00"\n', encoding="utf-8")
    args = ["deadline", "--from", "2026-02-12 15:30", "--working-days", "2", "--model", "one_stop"]
    env = {"DUNGHAN_CALENDAR_FILE": str(path)}
    own = CliRunner().invoke(main, [*args, "--agency", "SXD"], env=env).output.splitlines()
    # Before SXD's 16:00 cut-off: 2 h Thursday, 8 h Friday 13/02, Tết, 6 h on Monday 23/02.
    assert own[:2] == ["Hạn: 15:30 23/02/2026 (giờ Việt Nam), cách tính one_stop",
                       "Giờ tiếp nhận riêng của SXD: 08:00–12:00, 13:30–17:30, giờ cắt 16:00."]
    other = CliRunner().invoke(main, [*args, "--agency", "STC"], env=env).output.splitlines()
    # After the province's 15:00 cut-off: Friday 07:30 + 16 h = Monday 23/02 17:00.
    assert other[:2] == ["Hạn: 17:00 23/02/2026 (giờ Việt Nam), cách tính one_stop",
                         "STC không khai báo giờ riêng, dùng giờ của tỉnh: 07:30–11:30, 13:00–17:00,"
                         " giờ cắt 15:00."]


def test_cli_refuses_an_unknown_model():
    result = CliRunner().invoke(main, ["deadline", "--from", "2026-03-09 10:00", "--working-days", "3",
                                       "--model", "lich"])
    assert result.exit_code == 2


def test_cli_refuses_an_unreadable_instant():
    result = CliRunner().invoke(main, ["deadline", "--from", "hôm qua", "--working-days", "7"])
    assert result.exit_code == 2 and "hôm qua" in result.output


def test_working_hours_come_from_the_override_file(tmp_path):
    path = tmp_path / "lich.toml"
    path.write_text('[working_hours]\nperiods = [["08:00", "12:00"], ["13:30", "17:30"]]\n'
                    'cutoff = "16:00"\n', encoding="utf-8")
    cal = WorkCalendar.from_file(path)
    # Received Thursday 12/2/2026 at 15:30: before this agency's 16:00 cut-off, so 12/2 is the
    # receipt day; 13/2 then Tết, 23/2 is the second day, closing at 17:30.
    assert cal.add_working_days(utc(2026, 2, 12, 8, 30), 2) == utc(2026, 2, 23, 10, 30)
    assert WorkCalendar.from_file().hours == WorkingHours()  # the shipped file states the defaults


def test_unknown_working_hours_keys_are_refused(tmp_path):
    path = tmp_path / "lich.toml"
    path.write_text('[working_hours]\nlunch = "11:30"\n', encoding="utf-8")
    with pytest.raises(ValueError):
        WorkCalendar.from_file(path)
