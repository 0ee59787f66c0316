"""The designer's pages and the JSON endpoints the modeler calls: lint, schedule, diff, deploy.

Signed in through the real sign-in form; JSON calls carry the session's CSRF token in the
header as designer.js sends it.
"""

import io
import re
from pathlib import Path

import pytest

from engine import directory
from tests import flows

PASSWORD = "mật-khẩu-thiết-kế-2026"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CONSULTATION = (PROCESSES / "lay_y_kien_phoi_hop.bpmn").read_text(encoding="utf-8")
CAMUNDA = Path(__file__).resolve().parents[1] / "data" / "designer" / "camunda_hop_y_kien.bpmn"


@pytest.fixture
def people(uow_factory, clock):
    directory.seed_user(uow_factory(), clock, "tk.skhcn", "Lê Thiết Kế", "SKHCN", ["designer"], PASSWORD)
    directory.seed_user(uow_factory(), clock, "cv.sxd", "Nguyễn Văn Xây", "SXD", ["officer"], PASSWORD)


def signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    # Signing in starts a fresh session, with a fresh token on the next page.
    page = client.get("/").get_data(as_text=True)
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def designer(app, people):
    return signed_in(app, "tk.skhcn")


def post(session, path: str, token: str | None = None, **body):
    client, kept = session
    return client.post(path, json=body, headers={"X-CSRF-Token": kept if token is None else token})


def test_the_list_shows_each_version_and_the_instances_running_on_it(designer, api):
    flows.start(api, consulted=("SXD",))
    page = designer[0].get("/thiet-ke").get_data(as_text=True)
    row = re.search(r'<tr id="process-lay_y_kien_phoi_hop">(.*?)</tr>', page, re.S).group(1)
    assert "Lấy ý kiến phối hợp" in row
    assert "Phiên bản 1 · " in row and "1 hồ sơ đang chạy" in row


def test_lint_of_a_clean_draft_answers_its_process(designer):
    response = post(designer, "/thiet-ke/kiem-tra", bpmn=CONSULTATION)
    assert response.status_code == 200, response.json
    assert response.json["process_id"] == "lay_y_kien_phoi_hop" and response.json["problems"] == []


def test_lint_names_the_element_and_the_reason_in_vietnamese(designer):
    broken = CONSULTATION.replace('value="5 working_days"', 'value="5 ngay"')
    response = post(designer, "/thiet-ke/kiem-tra", bpmn=broken)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["problems"][0]["element_id"] == "synthesize"
    assert "Đơn vị thời hạn 'ngay' không hợp lệ" in response.json["problems"][0]["reason"]
    assert "(phần tử synthesize)" in response.json["detail"]


ENTITY = "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"


NO_PROCESS = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
              'targetNamespace="x"><bpmn:message id="m" name="m"/></bpmn:definitions>')


@pytest.mark.parametrize("path", ["/thiet-ke/kiem-tra", "/thiet-ke/lich",
                                  "/thiet-ke/lay_y_kien_phoi_hop/so-sanh",
                                  "/thiet-ke/lay_y_kien_phoi_hop/trien-khai"])
@pytest.mark.parametrize("bpmn", ["<not xml", "<a/>", "\x00", ENTITY])
def test_garbage_is_a_422_in_vietnamese_never_a_500(designer, path, bpmn):
    extra = {"start": "2026-02-12T16:00:00"} if path.endswith("/lich") else {}
    response = post(designer, path, bpmn=bpmn, **extra)
    assert response.status_code == 422, response.json
    assert response.json["title"] == "Dữ liệu không hợp lệ"
    assert response.json["detail"].startswith("Tệp BPMN không hợp lệ")


@pytest.mark.parametrize("path", ["/thiet-ke/kiem-tra", "/thiet-ke/lich",
                                  "/thiet-ke/lay_y_kien_phoi_hop/trien-khai"])
def test_a_document_without_a_process_is_a_422(designer, path):
    extra = {"start": "2026-02-12T16:00:00"} if path.endswith("/lich") else {}
    response = post(designer, path, bpmn=NO_PROCESS, **extra)
    assert response.status_code == 422, response.json
    assert "quy trình" in response.json["detail"]


def test_a_diagram_over_the_json_size_limit_is_refused_with_the_limit(designer):
    response = post(designer, "/thiet-ke/kiem-tra", bpmn="x" * 600_000)
    assert response.status_code == 422
    assert response.json["detail"] == "Nội dung JSON vượt quá 512 KB"


def test_malformed_json_is_a_400_problem(designer):
    client, token = designer
    response = client.post("/thiet-ke/kiem-tra", data="{bpmn:", content_type="application/json",
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_json_body_without_the_draft_is_a_problem_in_vietnamese(designer):
    response = post(designer, "/thiet-ke/kiem-tra")
    assert response.status_code == 422
    assert response.json["errors"]["json"]["bpmn"] == ["Trường bắt buộc."]


def test_json_calls_without_the_session_token_are_refused(designer):
    assert post(designer, "/thiet-ke/kiem-tra", token="", bpmn=CONSULTATION).status_code == 400
    assert post(designer, "/thiet-ke/kiem-tra", token="other", bpmn=CONSULTATION).status_code == 400
    client, _ = designer
    assert client.post("/thiet-ke/kiem-tra", json={"bpmn": CONSULTATION}).status_code == 400


def test_an_officer_is_refused_every_designer_page_and_call(app, people):
    session = signed_in(app, "cv.sxd")
    refused = session[0].get("/thiet-ke")
    assert refused.status_code == 403
    assert "Chỉ người thiết kế quy trình hoặc quản trị được triển khai quy trình" in \
        refused.get_data(as_text=True)
    assert session[0].get("/thiet-ke/lay_y_kien_phoi_hop").status_code == 403
    assert session[0].get("/thiet-ke/lay_y_kien_phoi_hop/1.bpmn").status_code == 403
    for path in ("/thiet-ke/kiem-tra", "/thiet-ke/lay_y_kien_phoi_hop/trien-khai",
                 "/thiet-ke/lay_y_kien_phoi_hop/so-sanh"):
        response = post(session, path, bpmn=CONSULTATION)
        assert response.status_code == 403 and response.json["type"].endswith("/forbidden"), path


def test_signed_out_json_calls_get_401_not_a_redirect(app):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        s["csrf"] = "t"
    response = client.post("/thiet-ke/kiem-tra", json={"bpmn": "x"}, headers={"X-CSRF-Token": "t"})
    assert response.status_code == 401 and response.json["status"] == 401


def test_schedule_counts_each_step_from_the_previous_due_date_across_tet(designer):
    # Thursday 12/02/2026 16:00. Replies: 10 working days, day 1 = Fri 13/02; Tết 16-20/02
    # and the weekends are skipped: 13, 23, 24, 25, 26, 27/02, 02, 03, 04, 05/03 -> 17:00 05/03.
    # Synthesis: 5 working days from 17:00 05/03: 06, 09, 10, 11, 12/03 -> 17:00 12/03.
    # After it, a returned reply is re-answered in 2 working days (13, 16/03), and the
    # Provincial Office reviews in 3 (13, 16, 17/03); the loop back to the synthesis is cut.
    response = post(designer, "/thiet-ke/lich", bpmn=CONSULTATION, start="2026-02-12T16:00:00",
                    variables={"reply_days": 10, "reanswer_days": 2, "lead_agency": "STP"})
    assert response.status_code == 200, response.json
    due = {s["element_id"]: s["due"] and s["due"]["text"] for s in response.json["steps"]}
    assert due == {"draft_request": None, "reply_to_consultation": "17:00 05/03/2026",
                   "synthesize": "17:00 12/03/2026", "reanswer_reply": "17:00 16/03/2026",
                   "provincial_review": "17:00 17/03/2026"}
    assert response.json["end"]["text"] == "17:00 17/03/2026"
    assert response.json["needs"] == []


def test_schedule_names_the_variables_it_still_needs(designer):
    response = post(designer, "/thiet-ke/lich", bpmn=CONSULTATION, start="2026-02-12T16:00:00")
    step = next(s for s in response.json["steps"] if s["element_id"] == "reply_to_consultation")
    assert step["due"] is None and step["error"] == "Cần giá trị của biến 'reply_days' để tính thời hạn"
    assert response.json["needs"] == ["reanswer_days", "reply_days"]


def test_schedule_refuses_a_bad_start_in_vietnamese(designer):
    response = post(designer, "/thiet-ke/lich", bpmn=CONSULTATION, start="hôm nay")
    assert response.status_code == 422
    assert response.json["errors"]["json"]["start"][0].startswith("Phải là thời điểm ISO 8601")


def test_diff_lists_the_changed_deadline_and_the_added_and_removed_elements(designer):
    draft = (CONSULTATION.replace('value="5 working_days"', 'value="7 working_days"')
             .replace('<bpmn:endEvent id="end_reviewed"', '<bpmn:endEvent id="end_sent"'))
    response = post(designer, "/thiet-ke/lay_y_kien_phoi_hop/so-sanh", bpmn=draft)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["version"] == 1 and not body["same"]
    assert [e["element_id"] for e in body["added"]] == ["end_sent"]
    assert [e["element_id"] for e in body["removed"]] == ["end_reviewed"]
    synthesize = next(e for e in body["changed"] if e["element_id"] == "synthesize")
    assert synthesize["changes"] == [{"field": "property:deadline", "label": "Thời hạn",
                                      "old": "5 working_days", "new": "7 working_days"}]


def test_diff_of_the_deployed_text_is_empty(designer):
    response = post(designer, "/thiet-ke/lay_y_kien_phoi_hop/so-sanh", bpmn=CONSULTATION)
    assert response.json["same"] is True


def test_deploy_makes_version_2_and_a_running_instance_keeps_version_1(designer, api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    draft = CONSULTATION.replace('value="5 working_days"', 'value="7 working_days"')
    response = post(designer, "/thiet-ke/lay_y_kien_phoi_hop/trien-khai", bpmn=draft)
    assert response.status_code == 201, response.json
    assert response.json["version"] == 2 and response.json["created"] is True
    assert api("GET", f"/api/v1/instances/{instance_id}", "STP").json["process_version"] == 1
    again = post(designer, "/thiet-ke/lay_y_kien_phoi_hop/trien-khai", bpmn=draft)
    assert again.status_code == 200 and again.json["version"] == 2 and again.json["created"] is False
    done = flows.reply(api, "SXD", instance_id, "agree")  # the old instance runs on version 1
    assert done.status_code == 200, done.json
    synthesis = flows.open_task(api, "STP", instance_id)
    assert api("GET", f"/api/v1/tasks/{synthesis['id']}/deadline", "STP").json["rule"] == \
        "5 ngày làm việc"  # version 1's deadline, not the 7 days of version 2


def test_deploy_refuses_a_broken_draft_and_keeps_the_version(designer, api):
    broken = CONSULTATION.replace('<spiffworkflow:property name="agency" value="lead_agency" />', "", 1)
    response = post(designer, "/thiet-ke/lay_y_kien_phoi_hop/trien-khai", bpmn=broken)
    assert response.status_code == 422
    assert response.json["problems"][0]["element_id"] == "draft_request"
    assert response.json["problems"][0]["reason"] == "Nhiệm vụ người dùng phải có thuộc tính 'agency'"
    assert api("GET", "/api/v1/processes/lay_y_kien_phoi_hop", "STP").json["latest_version"] == 1


def test_upload_of_a_camunda_file_deploys_what_maps_and_lists_what_is_ignored(designer, api):
    client, token = designer
    with CAMUNDA.open("rb") as f:
        response = client.post("/thiet-ke/tai-len", data={"csrf_token": token, "file": (f, "hop.bpmn")},
                               content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Đã triển khai phiên bản 1 của quy trình" in page
    assert "Đã chuyển nhóm ứng viên &#39;SXD&#39; thành thuộc tính &#39;agency&#39;" in page
    assert "Bỏ qua listener của nhiệm vụ" in page and "Bỏ qua người được giao (assignee)" in page
    started = api("POST", "/api/v1/instances", "SXD", json={"process_id": "hop_y_kien"})
    assert started.status_code == 201, started.json
    task = started.json["open_tasks"][0]
    assert task["agency"] == "SXD" and task["due_at"] is not None


def test_upload_of_a_camunda_java_delegate_is_refused_naming_the_task(designer):
    client, token = designer
    text = CAMUNDA.read_text(encoding="utf-8").replace(
        '<bpmn:endEvent id="EndEvent_1" name="Đã chuẩn bị">',
        '<bpmn:serviceTask id="send_mail" name="Gửi thư" camunda:class="vn.gov.Mail" />'
        '<bpmn:endEvent id="EndEvent_1" name="Đã chuẩn bị">')
    response = client.post("/thiet-ke/tai-len", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "x.bpmn")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<strong>send_mail</strong>" in page and "Đúng hạn không chạy Java delegate" in page


def test_the_upload_form_needs_its_csrf_token(designer):
    client, _ = designer
    response = client.post("/thiet-ke/tai-len", content_type="multipart/form-data",
                           data={"file": (CAMUNDA.open("rb"), "hop.bpmn")})
    assert response.status_code == 400


def test_the_modeler_gets_a_file_uploaded_without_a_diagram_laid_out(designer):
    client, token = designer
    bare = re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", CAMUNDA.read_text(encoding="utf-8"),
                  flags=re.S)
    client.post("/thiet-ke/tai-len", content_type="multipart/form-data",
                data={"csrf_token": token, "file": (io.BytesIO(bare.encode()), "hop.bpmn")})
    stored = client.get("/thiet-ke/hop_y_kien/1.bpmn").get_data(as_text=True)
    drawn = client.get("/thiet-ke/hop_y_kien/1.bpmn?drawn=1").get_data(as_text=True)
    assert "BPMNShape" not in stored
    assert 'bpmnElement="prepare_meeting"' in drawn and "BPMNShape" in drawn


def test_a_new_process_needs_a_usable_id_and_an_existing_one_opens_as_it_is(designer):
    client, _ = designer
    refused = client.get("/thiet-ke/tao-moi?process_id=Cấp phép&name=X")
    assert refused.status_code == 422
    assert "Mã quy trình gồm 3-64 chữ thường không dấu" in refused.get_data(as_text=True)
    existing = client.get("/thiet-ke/tao-moi?process_id=lay_y_kien_phoi_hop&name=X")
    assert existing.status_code == 302 and existing.location.endswith("/thiet-ke/lay_y_kien_phoi_hop")
    draft = client.get("/thiet-ke/tao-moi/hop_giao_ban.bpmn?name=Họp giao ban")
    assert draft.status_code == 200 and b'<bpmn:process id="hop_giao_ban"' in draft.data
