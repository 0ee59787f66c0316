"""Drive every path of the shipped consultation process through the ProcessInstance aggregate."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from SpiffWorkflow.util.task import TaskState

from engine import codec
from engine.calendar import WorkCalendar
from engine.errors import Conflict, NotFound
from engine.instances import HumanTask, InstanceStatus, ProcessInstance
from engine.library import parse_definition, read_form_files
from engine.scripting import SandboxScriptEngine
from tests import flows

PROCESS_ID = "lay_y_kien_phoi_hop"
BPMN = Path(__file__).resolve().parents[2] / "processes" / f"{PROCESS_ID}.bpmn"
NOW = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
LEAD, OFFICE = "STP", "VPUBND"
CONSULTED = ["SXD", "STC", "SNNMT"]
CONSULTED_LANE = "Cơ quan được lấy ý kiến"

# Already validated, as the use case would pass them on: the aggregate does not check forms.
REQUEST = {
    "title": "Dự thảo Quyết định quy định quản lý cây xanh đô thị",
    "summary": "Lấy ý kiến các sở về dự thảo quy định quản lý cây xanh đô thị trên địa bàn tỉnh.",
    "reply_days": 5,
    "silence_is_consent": False,
}
REASONS = "Đề nghị bổ sung trách nhiệm duy tu cây xanh của UBND cấp xã tại Điều 7 vì chưa rõ ai chăm sóc cây"
SYNTHESIS = {"synthesis": "Đã tiếp thu ý kiến của Sở Xây dựng, giải trình ý kiến của Sở Tài chính."}
REVIEW = {
    "decision": "Trình Chủ tịch xem xét, quyết định giữ nguyên Điều 7 của dự thảo.",
    "submitted_to": "chairman",
}


@pytest.fixture(scope="module")
def compiled() -> codec.CompiledSpec:
    forms = read_form_files(BPMN.parent / "forms")
    definition = parse_definition(BPMN.read_bytes(), expected_id=PROCESS_ID, form_files=forms)
    return codec.load_spec(definition.spec_json, definition.forms)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.from_file()


class Consultation:
    """One instance, saved and reloaded around every step, as the store does between requests."""

    def __init__(self, compiled: codec.CompiledSpec, calendar: WorkCalendar):
        self.compiled, self.calendar = compiled, calendar
        self.instance = ProcessInstance.start(
            id="hs-2026-001", process_id=PROCESS_ID, version=1, compiled=compiled,
            script_engine=SandboxScriptEngine(), calendar=calendar,
            variables={"lead_agency": LEAD, "provincial_office": OFFICE}, now=NOW, actor=LEAD,
        )
        self.events = []
        self._save_and_reload()

    def _save_and_reload(self) -> None:
        self.events.extend(self.instance.events)
        self.instance = ProcessInstance.load(
            id=self.instance.id, process_id=PROCESS_ID, version=1,
            state_json=self.instance.dump(), compiled=self.compiled,
            script_engine=SandboxScriptEngine(), calendar=self.calendar,
            status=str(self.instance.status),
        )
        assert self.instance.events == []  # each step's events were collected above

    @property
    def event_types(self) -> list[str]:
        return [e.type for e in self.events]

    def open_tasks(self) -> list[HumanTask]:
        return self.instance.open_tasks()

    def task(self, bpmn_id: str, agency: str | None = None) -> HumanTask:
        [found] = [
            t for t in self.open_tasks()
            if t.bpmn_id == bpmn_id and agency in (None, t.agency)
        ]
        return found

    def complete(self, bpmn_id: str, data: dict, agency: str | None = None) -> HumanTask:
        task = self.task(bpmn_id, agency)
        self.instance.complete_task(task.id, data, NOW, task.agency)
        self._save_and_reload()
        return task

    def request(self, consulted=CONSULTED) -> HumanTask:
        return self.complete("draft_request", {**REQUEST, "consulted_agencies": list(consulted),
                                               "concern_reasons": flows.concern(consulted)})

    def reply(self, agency: str, position: str, reasons: str = REASONS) -> HumanTask:
        return self.complete("reply_to_consultation", {"position": position, "reasons": reasons},
                             agency)

    def cancel(self) -> None:
        self.instance.cancel(NOW, LEAD, "Dự thảo được rút để soạn lại")
        self._save_and_reload()

    def reached(self) -> set[str]:
        """Return the BPMN ids of every element the instance has completed."""
        tasks = self.instance.workflow.get_tasks(state=TaskState.COMPLETED)
        return {t.task_spec.bpmn_id for t in tasks} - {None}


@pytest.fixture
def consultation(compiled, calendar) -> Consultation:
    return Consultation(compiled, calendar)


def test_lead_agency_is_first_asked_to_draft_the_request(consultation):
    [draft] = consultation.open_tasks()

    assert (draft.bpmn_id, draft.agency) == ("draft_request", LEAD)
    assert draft.form == "consultation_request"
    assert draft.lane == "Cơ quan chủ trì"
    assert consultation.instance.status == InstanceStatus.RUNNING


def test_each_reply_task_is_assigned_to_its_own_agency_in_the_consulted_lane(consultation):
    consultation.request()

    tasks = consultation.open_tasks()

    assert sorted(t.agency for t in tasks) == sorted(CONSULTED)
    assert {(t.bpmn_id, t.lane, t.form) for t in tasks} == {
        ("reply_to_consultation", CONSULTED_LANE, "consultation_reply"),
    }
    assert len({t.id for t in tasks}) == len(CONSULTED)


def test_when_every_agency_agrees_the_consultation_ends_without_provincial_review(consultation):
    consultation.request()
    for agency in CONSULTED:
        consultation.reply(agency, "agree", "")
    consultation.complete("synthesize", SYNTHESIS, LEAD)

    assert consultation.instance.status == InstanceStatus.COMPLETED
    assert consultation.open_tasks() == []
    assert "end_agreed" in consultation.reached()
    assert not {"provincial_review", "end_reviewed"} & consultation.reached()
    assert consultation.instance.variables["has_disagreement"] is False


def test_disagreement_sends_the_case_to_the_provincial_office(consultation):
    consultation.request()
    consultation.reply("SXD", "disagree")
    consultation.reply("STC", "agree", "")
    consultation.reply("SNNMT", "agree_with_amendments")
    consultation.complete("synthesize", SYNTHESIS, LEAD)

    [review] = consultation.open_tasks()
    assert (review.bpmn_id, review.agency, review.form) == (
        "provincial_review", OFFICE, "provincial_review",
    )
    assert review.lane == "Văn phòng UBND tỉnh"
    assert review.data["disagreeing_agencies"] == ["SXD"]

    consultation.complete("provincial_review", REVIEW, OFFICE)

    assert consultation.instance.status == InstanceStatus.COMPLETED
    assert "end_reviewed" in consultation.reached()
    assert "end_agreed" not in consultation.reached()
    assert consultation.instance.variables["submitted_to"] == "chairman"


def test_amendments_alone_do_not_need_provincial_review(consultation):
    consultation.request()
    for agency in CONSULTED:
        consultation.reply(agency, "agree_with_amendments")
    consultation.complete("synthesize", SYNTHESIS, LEAD)

    assert consultation.instance.status == InstanceStatus.COMPLETED
    assert "end_agreed" in consultation.reached()
    assert "provincial_review" not in consultation.reached()


def test_a_single_consulted_agency_is_enough(consultation):
    consultation.request(["SYT"])

    [reply] = consultation.open_tasks()
    assert (reply.bpmn_id, reply.agency) == ("reply_to_consultation", "SYT")

    consultation.reply("SYT", "disagree")
    consultation.complete("synthesize", SYNTHESIS, LEAD)
    consultation.complete("provincial_review", REVIEW, OFFICE)

    assert consultation.instance.status == InstanceStatus.COMPLETED
    assert consultation.instance.variables["replies"] == [
        {"agency": "SYT", "position": "disagree", "reasons": REASONS},
    ]


def test_every_reply_is_recorded_with_its_agency_whatever_the_order(consultation):
    consultation.request()
    consultation.reply("SNNMT", "agree", "")
    consultation.reply("SXD", "disagree")
    consultation.reply("STC", "agree_with_amendments")

    [synthesize] = consultation.open_tasks()

    assert synthesize.bpmn_id == "synthesize" and synthesize.agency == LEAD
    replies = {r["agency"]: (r["position"], r["reasons"]) for r in synthesize.data["replies"]}
    assert replies == {
        "SXD": ("disagree", REASONS),
        "STC": ("agree_with_amendments", REASONS),
        "SNNMT": ("agree", ""),
    }
    assert synthesize.data["has_disagreement"] is True


def test_one_agency_does_not_see_another_agency_s_reply(consultation):
    consultation.request()
    consultation.reply("SXD", "disagree")

    others = consultation.open_tasks()

    assert sorted(t.agency for t in others) == ["SNNMT", "STC"]
    assert all("position" not in t.data and "reasons" not in t.data for t in others)


def test_cancelling_while_replies_are_open_withdraws_every_open_task(consultation):
    consultation.request()
    consultation.reply("SXD", "agree", "")
    still_open = {t.id: t.agency for t in consultation.open_tasks()}

    consultation.cancel()

    assert consultation.instance.status == InstanceStatus.CANCELLED
    assert consultation.open_tasks() == []
    withdrawn = [e for e in consultation.events if e.type == "task.withdrawn"]
    assert {e.task_id: e.agency for e in withdrawn} == still_open
    assert consultation.event_types[-3:] == [
        "task.withdrawn", "task.withdrawn", "instance.cancelled",
    ]
    assert consultation.events[-1].reason == "Dự thảo được rút để soạn lại"


def test_cancelled_consultation_refuses_further_replies(consultation):
    consultation.request()
    pending = consultation.task("reply_to_consultation", "STC")
    consultation.cancel()

    with pytest.raises(Conflict):
        consultation.instance.complete_task(pending.id, {"position": "agree"}, NOW, "STC")
    with pytest.raises(Conflict):
        consultation.instance.cancel(NOW, LEAD, "lần nữa")


def test_completing_an_already_completed_task_is_a_conflict(consultation):
    consultation.request()
    done = consultation.reply("SXD", "agree", "")

    with pytest.raises(Conflict):
        consultation.instance.complete_task(done.id, {"position": "disagree"}, NOW, "SXD")

    assert len(consultation.open_tasks()) == 2


def test_completing_the_draft_again_after_it_moved_on_is_a_conflict(consultation):
    draft = consultation.request()

    with pytest.raises(Conflict):
        consultation.instance.complete_task(draft.id, REQUEST, NOW, LEAD)


def test_completing_an_unknown_task_is_not_found(consultation):
    consultation.request()

    with pytest.raises(NotFound):
        consultation.instance.complete_task(
            "00000000-0000-4000-8000-000000000000", {"position": "agree"}, NOW, "SXD",
        )


def test_events_are_emitted_in_order_for_an_agreed_consultation(consultation):
    consultation.request()
    for agency in CONSULTED:
        consultation.reply(agency, "agree", "")
    consultation.complete("synthesize", SYNTHESIS, LEAD)

    assert consultation.event_types == [
        "instance.started",
        "task.assigned", "task.completed",                      # draft_request
        "task.assigned", "task.assigned", "task.assigned",      # one reply per agency
        "task.completed", "task.completed", "task.completed",
        "task.assigned", "task.completed",                      # synthesize
        "instance.completed",
    ]
    assigned = [(e.bpmn_id, e.agency) for e in consultation.events if e.type == "task.assigned"]
    assert assigned[0] == ("draft_request", LEAD)
    assert sorted(assigned[1:4]) == sorted(("reply_to_consultation", a) for a in CONSULTED)
    assert assigned[4] == ("synthesize", LEAD)
    completed = [e.agency for e in consultation.events if e.type == "task.completed"]
    assert completed == [LEAD, *CONSULTED, LEAD]
    assert {e.instance_id for e in consultation.events} == {"hs-2026-001"}


def test_events_are_emitted_in_order_for_a_disputed_consultation(consultation):
    consultation.request(["SXD"])
    consultation.reply("SXD", "disagree")
    consultation.complete("synthesize", SYNTHESIS, LEAD)
    consultation.complete("provincial_review", REVIEW, OFFICE)

    assert consultation.event_types == [
        "instance.started",
        "task.assigned", "task.completed",   # draft_request
        "task.assigned", "task.completed",   # reply
        "task.assigned", "task.completed",   # synthesize
        "task.assigned", "task.completed",   # provincial_review
        "instance.completed",
    ]
    assert consultation.events[-3].agency == OFFICE
    assert consultation.events[-2].data == REVIEW
