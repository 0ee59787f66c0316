"""A process's published steps: who does each, and its time limit in words."""

import re
from pathlib import Path

import pytest

from engine.publication import published_steps, time_limit

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
GIVEN_DAYS = "theo thời hạn ghi trong yêu cầu hoặc trong danh mục thủ tục (tính bằng ngày làm việc)"


@pytest.mark.parametrize(("deadline", "words"), [
    ("5 working_days", "5 ngày làm việc"),
    ("0.5 working_days", "0.5 ngày làm việc"),
    ("4 working_hours", "4 giờ làm việc"),
    ("30 calendar_days", "30 ngày"),
    ("reply_days working_days", GIVEN_DAYS),
    (None, "Không quy định"),
])
def test_a_deadline_property_is_worded_for_a_citizen(deadline, words):
    assert time_limit(deadline) == words


def test_the_consultation_is_published_step_by_step_in_the_order_it_runs():
    steps = published_steps((PROCESSES / "lay_y_kien_phoi_hop.bpmn").read_bytes())
    assert [(s["id"], s["lane"], s["time_limit"]) for s in steps] == [
        ("draft_request", "Cơ quan chủ trì", "Không quy định"),
        ("reply_to_consultation", "Cơ quan được lấy ý kiến", GIVEN_DAYS),
        ("synthesize", "Cơ quan chủ trì", "5 ngày làm việc"),
        ("reanswer_reply", "Cơ quan được lấy ý kiến", GIVEN_DAYS),  # only when a reply is returned
        ("provincial_review", "Văn phòng UBND tỉnh", "3 ngày làm việc"),
    ]
    reply = steps[1]
    assert reply["deemed_consent"] and reply["within"] == "collect_replies"


def test_a_process_uploaded_without_diagram_is_still_published_in_order():
    bare = re.sub(rb"\s*<bpmndi:BPMNDiagram\b.*</bpmndi:BPMNDiagram>", b"",
                  (PROCESSES / "giai_quyet_tthc.bpmn").read_bytes(), flags=re.DOTALL)
    ids = [s["id"] for s in published_steps(bare)]
    assert ids.index("receive") < ids.index("assign") < ids.index("appraise") < ids.index("sign")
