"""The lead returns a vague reply from its synthesis page, in a real Chromium.

The clock stands at 09:00 Thursday 12/02/2026; Tết is off from 14/02 to 22/02, so a re-answer
in 2 working days counts Friday 13/02 and Monday 23/02 and is due at 17:00 23/02/2026.
"""

import pytest

from tests import flows

pytestmark = pytest.mark.browser
VAGUE = "Đề nghị cơ quan chủ trì nghiên cứu thêm cho phù hợp"
WHY = "Ý kiến chưa nêu điều, khoản nào cần nghiên cứu thêm và vì sao"


@pytest.fixture
def synthesis(api):
    """SXD answers in general terms with amendments, STC agrees: STP's synthesis opens."""
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    assert flows.reply(api, "SXD", instance_id, "agree_with_amendments", flows.REASONS).status_code == 200
    assert flows.reply(api, "STC", instance_id, "agree", "").status_code == 200
    return flows.open_task(api, "STP", instance_id)


def test_the_lead_returns_a_vague_reply_with_a_reason_and_the_agency_must_re_answer(
        live_server, page, user, sign_in, synthesis, api, uow_factory, screenshot, axe_audit):
    user("cv.stp", "Trần Thị Tư", "STP")
    sign_in(page, "cv.stp")
    page.goto(f"{live_server}/viec/{synthesis['id']}")
    form = page.locator("form.return-reply")
    # Only the reply with a position to explain can go back; a plain agree cannot.
    assert form.get_by_label("Ý kiến của cơ quan").locator("option").all_inner_texts() == ["Sở Xây dựng"]
    axe_audit(page)
    form.get_by_label("Vì sao ý kiến chưa rõ").fill("chưa rõ")
    form.get_by_role("button", name="Trả lại ý kiến").click()
    reason = page.get_by_label("Vì sao ý kiến chưa rõ")
    assert "ít nhất 10 ký tự" in page.locator("#err-return-reason").inner_text()
    assert reason.input_value() == "chưa rõ"
    screenshot(page, "return-reply-refused")
    reason.fill(WHY)
    page.get_by_role("button", name="Trả lại ý kiến").click()
    page.get_by_text("Đã trả lại ý kiến của SXD").wait_for()
    assert "17:00 23/02/2026" in page.locator(".flash-success").inner_text()
    reanswer = flows.open_task(api, "SXD", synthesis["instance_id"])
    assert (reanswer["bpmn_id"], reanswer["data"]["return_reason"]) == ("reanswer_reply", WHY)
    with uow_factory() as uow:
        kinds = [v["kind"] for v in uow.violations.for_instance(synthesis["instance_id"])]
    assert kinds == ["vague_reply"]
    # Re-answered, the synthesis opens again, and the same agency cannot be returned twice.
    assert flows.complete(api, "SXD", synthesis["instance_id"], {
        "position": "agree_with_amendments", "reasons": flows.REASONS}).status_code == 200
    again = flows.open_task(api, "STP", synthesis["instance_id"])
    page.goto(f"{live_server}/viec/{again['id']}")
    page.get_by_role("heading", name="Tổng hợp, tiếp thu, giải trình").wait_for()
    assert page.locator("form.return-reply").count() == 0


def test_a_consulted_agency_sees_no_return_form(live_server, page, user, sign_in, api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    reply = flows.open_task(api, "SXD", instance_id)
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "cv.sxd")
    page.goto(f"{live_server}/viec/{reply['id']}")
    page.get_by_role("button", name="Gửi và hoàn thành").wait_for()
    assert page.locator("form.return-reply").count() == 0
