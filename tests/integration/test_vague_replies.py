"""The lead returns a vague reply once: a short re-answer, a violation naming a person, the last answer."""

from datetime import UTC, datetime

import pytest

from engine import directory
from engine.identity import Role
from tests import flows

REASONS = "Đề nghị bổ sung quy định về cây xanh tại Điều 7 vì dự thảo chưa nêu ai chăm sóc"
BETTER = "Đề nghị sửa khoản 2 Điều 7: giao UBND cấp xã chăm sóc cây xanh vì xã quản lý vỉa hè"
WHY = "Ý kiến chưa nêu rõ nội dung đề nghị bổ sung cụ thể"


@pytest.fixture
def officer(api, uow_factory, clock):
    """An SXD officer signed in as a person, so the violation names who wrote the reply."""
    user_id = directory.seed_user(uow_factory(), clock, "cv.sxd.bay", "Nguyễn Văn Bảy", "SXD",
                                  ["officer"], None)
    api.tokens["cv.sxd.bay"] = directory.issue_token(uow_factory(), clock, "SXD", [Role.OFFICER],
                                                     "cv.sxd.bay", user_id=user_id)
    return "cv.sxd.bay"


def give_back(api, instance_id, agency="SXD", who="STP", **extra):
    return api("POST", f"/api/v1/instances/{instance_id}/returns", who,
               json={"agency": agency, "reason": WHY, **extra})


def answered(api, officer):
    """SXD answers with amendments (by a person), STC plainly agrees: the synthesis opens."""
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    assert flows.reply(api, officer, instance_id, "agree_with_amendments", REASONS).status_code == 200
    assert flows.reply(api, "STC", instance_id, "agree", "").status_code == 200
    return instance_id


def test_a_returned_reply_gets_a_two_day_re_answer_and_a_violation_naming_its_author(api, clock, officer,
                                                                                   uow_factory):
    instance_id = answered(api, officer)
    clock.set(datetime(2026, 2, 13, 3, 0, tzinfo=UTC))  # Friday 13/02 10:00
    returned = give_back(api, instance_id)
    assert returned.status_code == 201, returned.json
    task = returned.json["reanswer_task"]
    assert (task["agency"], task["bpmn_id"]) == ("SXD", "reanswer_reply")
    # Two working days from Friday 13/02: Tết 14–22/02 is off, day 1 Mon 23/02, day 2 Tue 24/02 17:00.
    assert task["due_at"] == "2026-02-24T10:00:00+00:00"
    assert task["data"]["return_reason"] == WHY
    assert task["data"]["returned_reply"] == {"agency": "SXD", "position": "agree_with_amendments",
                                              "reasons": REASONS}
    with uow_factory() as uow:
        [violation] = [v for v in uow.violations.for_instance(instance_id) if v["kind"] == "vague_reply"]
    assert violation["agency_code"] == "SXD" and violation["task_id"] == returned.json["returned_task_id"]
    assert (violation["responsible"], violation["head_name"]) == ("Nguyễn Văn Bảy", "Hoàng Văn Dựng")
    history = api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]
    assert "reply.returned" in [h["type"] for h in history]


def test_the_synthesis_uses_the_last_answer_and_a_second_return_is_refused(api, clock, officer):
    instance_id = answered(api, officer)
    assert give_back(api, instance_id, working_days=3).status_code == 201
    assert api("GET", "/api/v1/tasks?state=open", "STP").json["total"] == 0  # the synthesis waits
    again = give_back(api, instance_id)
    assert again.status_code == 409  # nothing to return while the agency re-answers
    assert flows.complete(api, officer, instance_id, {"position": "agree_with_amendments",
                                                      "reasons": BETTER}).status_code == 200
    synthesis = flows.open_task(api, "STP", instance_id)
    assert synthesis["bpmn_id"] == "synthesize"
    sxd = [r for r in synthesis["data"]["replies"] if r["agency"] == "SXD"]
    assert sxd == [{"agency": "SXD", "position": "agree_with_amendments", "reasons": BETTER}]
    second = give_back(api, instance_id)
    assert second.status_code == 409 and "một lần" in second.json["detail"]
    done = flows.complete(api, "STP", instance_id, {"synthesis": "Đã tiếp thu ý kiến Sở Xây dựng về Điều 7."})
    assert done.json["instance_status"] == "completed"


def test_only_a_substantive_reply_to_an_open_synthesis_within_the_window_goes_back(api, clock, officer):
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    flows.reply(api, officer, instance_id, "disagree", REASONS)
    early = give_back(api, instance_id)
    assert early.status_code == 409 and "đang tổng hợp" in early.json["detail"]  # STC has not answered
    flows.reply(api, "STC", instance_id, "agree", "")
    plain = give_back(api, instance_id, agency="STC")
    assert plain.status_code == 409 and "đồng ý" in plain.json["detail"]
    assert give_back(api, instance_id, who="SXD").status_code == 403  # only the lead returns
    assert give_back(api, instance_id, agency="SYT").status_code == 409  # never consulted
    # Received Thursday 12/02: 3 working days are 13/02, 23/02 and 24/02, until 17:00.
    clock.set(datetime(2026, 2, 25, 2, 0, tzinfo=UTC))
    late = give_back(api, instance_id)
    assert late.status_code == 409 and "17:00 ngày 24/02/2026" in late.json["detail"]


@pytest.mark.parametrize("extra", [{"reason": "mơ hồ"}, {"working_days": 9}, {"working_days": "2"}],
                         ids=["short-reason", "too-long", "days-as-text"])
def test_bad_returns_are_422_and_change_nothing(api, officer, extra):
    instance_id = answered(api, officer)
    assert give_back(api, instance_id, **extra).status_code == 422
    assert flows.open_task(api, "STP", instance_id)["bpmn_id"] == "synthesize"


def test_the_report_counts_the_returned_reply_against_the_agency(api, clock, officer):
    instance_id = answered(api, officer)
    give_back(api, instance_id)
    report = api("GET", "/api/v1/reports/discipline?month=2026-02", "SNV_home_affairs").json
    sections = report["sections"]
    sxd = next(r for r in sections["violations"]["rows"] if r["agency"] == "SXD")
    assert (sxd["vague_reply"], sxd["total"]) == (1, 1)
    replies = next(r for r in sections["consultations"]["rows"] if r["agency"] == "SXD")
    assert replies["returned_vague"] == 1
    assert "returned_vague" not in sections["consultations"]["not_yet_recorded"]
    ranked = next(r for r in sections["ranking"]["rows"] if r["agency"] == "SXD")
    assert ranked["indicators"]["vague_reply"] == 1.0
