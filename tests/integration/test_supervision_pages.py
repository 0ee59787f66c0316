"""The Provincial Office's, Home Affairs' and one-stop desk's pages: who may open them, what they do."""

import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest

from engine import directory
from tests import assignment_flows, flows
from tests.integration.test_sign_in import PASSWORD, csrf, sign_in

PEOPLE = {  # username: (name, agency, roles)
    "cv.vp": ("Trần Thị Giám Sát", "VPUBND", ["provincial_office"]),
    "cv.snv": ("Lê Văn Nội Vụ", "SNV", ["officer", "home_affairs"]),
    "cv.ttpvhcc": ("Phạm Thị Một Cửa", "TTPVHCC", ["officer"]),
    "cv.sxd": ("Nguyễn Văn Xây", "SXD", ["officer"]),
}
PAGES = ["/qua-han", "/bao-cao", "/bao-cao/2026-02.xlsx", "/mot-cua", "/mot-cua/tiep-nhan"]


@pytest.fixture
def people(uow_factory, clock) -> dict[str, str]:
    return {u: directory.seed_user(uow_factory(), clock, u, name, agency, roles, PASSWORD)
            for u, (name, agency, roles) in PEOPLE.items()}


def signed_in_as(app, username: str):
    client = app.test_client()
    assert sign_in(client, username=username).status_code == 302
    return client


@pytest.mark.parametrize("path", PAGES)
def test_an_agency_officer_is_refused_every_supervision_and_desk_page(app, people, path):
    page = signed_in_as(app, "cv.sxd").get(path)
    assert page.status_code == 403
    assert "Không có quyền" in page.get_data(as_text=True)


def test_the_pages_send_a_stranger_to_sign_in(app):
    assert all(app.test_client().get(p).status_code == 302 for p in PAGES)


def test_the_provincial_office_finds_an_overdue_reply_with_its_agency_and_head(app, api, people,
                                                                            clock):
    """A reply due Thursday 26/02/2026 17:00 is overdue on Friday 27/02 at 10:00."""
    instance_id, _ = flows.start(api, consulted=("SXD",))
    client = signed_in_as(app, "cv.vp")
    assert "Không có việc quá hạn theo bộ lọc" in client.get("/qua-han").get_data(as_text=True)
    clock.set(datetime(2026, 2, 27, 3, 0, tzinfo=UTC))  # 10:00 in Hanoi
    page = client.get("/qua-han").get_data(as_text=True)
    row = re.search(r'<tr id="task-[^"]+">(.*?)</tr>', page, re.S).group(1)
    assert "Trả lời ý kiến" in row and "Sở Xây dựng" in row and "17:00 26/02/2026" in row
    assert f"/tien-trinh/{instance_id}" in row
    assert "0 ngày làm việc (2.5 giờ)" in row  # 07:30–10:00 on the Friday
    filtered = client.get("/qua-han?agency=STC").get_data(as_text=True)
    assert "Không có việc quá hạn theo bộ lọc" in filtered


def test_home_affairs_reads_the_report_and_downloads_the_workbook(app, api, people):
    flows.start(api, consulted=("SXD",))
    client = signed_in_as(app, "cv.snv")
    page = client.get("/bao-cao?month=2026-02")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Báo cáo kỷ luật, kỷ cương hành chính tháng 02/2026" in text and "Xếp hạng cơ quan" in text
    workbook = client.get("/bao-cao/2026-02.xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["Content-Disposition"]
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.data)).sheetnames
    assert len(sheets) >= 5
    assert client.get("/bao-cao?month=2026-13").status_code == 422


def test_home_affairs_publishes_the_month_and_the_revision_is_listed(app, people):
    client = signed_in_as(app, "cv.snv")
    token = csrf(client, "/bao-cao?month=2026-02")
    published = client.post("/bao-cao/2026-02/cong-bo", data={"reason": "Đính chính số liệu",
                                                              "csrf_token": token})
    assert published.status_code == 302
    page = client.get("/bao-cao?month=2026-02").get_data(as_text=True)
    assert "Đã công bố bản số 1." in page and "Đính chính số liệu" in page
    assert client.get("/bao-cao/2026-02/ban-1.xlsx").status_code == 200
    office = signed_in_as(app, "cv.vp")  # the Provincial Office reads, but does not publish
    assert "Công bố bản mới" not in office.get("/bao-cao?month=2026-02").get_data(as_text=True)
    refused = office.post("/bao-cao/2026-02/cong-bo", data={"reason": "thử", "csrf_token": csrf(office)})
    assert refused.status_code == 403


def _receive(client, **fields):
    form = {"procedure_code": "1.009972", "name": "Nguyễn Văn An", "id_number": "027090001234",
            "channel": "paper", "documents": ["Bản sao giấy tờ chứng minh quyền sử dụng đất"],
            "csrf_token": csrf(client, "/mot-cua/tiep-nhan?procedure=1.009972"), **fields}
    return client.post("/mot-cua/tiep-nhan", data=form)


def _step(client, code: str, bpmn_label: str, **data):
    page = client.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    action = re.search(rf'action="(/mot-cua/ho-so/{code}/buoc/[^"]+)"', page).group(1)
    return client.post(action, data={"csrf_token": csrf(client, f"/mot-cua/ho-so/{code}"), **data})


def test_the_desk_receives_accepts_prints_the_receipt_and_hands_over(app, people, api):
    client = signed_in_as(app, "cv.ttpvhcc")
    created = _receive(client)
    assert created.status_code == 302
    code = created.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"BN-SXD-260212-\d{4}", code)
    assert _step(client, code, "receive", decision="accept").status_code == 302
    page = client.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    assert "Được tiếp nhận" in page and "Chuyển cho cơ quan giải quyết" in page
    receipt = client.get(f"/ho-so/{code}/mau-01.html").get_data(as_text=True)
    assert code in receipt and "Bản sao giấy tờ chứng minh quyền sử dụng đất" in receipt
    assert _step(client, code, "hand_over").status_code == 302
    assert "Đang xử lý" in client.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    listing = client.get("/mot-cua?status=4").get_data(as_text=True)
    assert code in listing and "Đang xử lý (1)" in listing
    assert api("GET", f"/api/v1/dossiers/{code}", "SXD").json["status"] == 4


def test_a_refusal_without_reasons_keeps_the_dossier_open_and_says_why(app, people):
    client = signed_in_as(app, "cv.ttpvhcc")
    code = _receive(client).headers["Location"].rsplit("/", 1)[1]
    refused = _step(client, code, "receive", decision="refuse")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert re.search(r'value="refuse"[^>]*checked', text) and 'id="err-reasons"' in text
    assert "Mới đăng ký" in client.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)


def test_a_receipt_without_the_applicants_name_comes_back_with_the_input_kept(app, people):
    client = signed_in_as(app, "cv.ttpvhcc")
    answer = _receive(client, name="", phone="0912345678")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Trường bắt buộc." in text
    assert 'value="0912345678"' in text and 'checked> Bản sao giấy tờ chứng minh' in text
    assert "Chưa có hồ sơ nào" in client.get("/mot-cua").get_data(as_text=True)


def test_the_desk_sees_only_its_own_procedures(app, people, uow_factory, clock):
    directory.seed_user(uow_factory(), clock, "cv.kinhbac", "Hoàng Văn Phường", "UBND_KINHBAC",
                        ["officer"], PASSWORD)
    commune = signed_in_as(app, "cv.kinhbac").get("/mot-cua/tiep-nhan").get_data(as_text=True)
    province = signed_in_as(app, "cv.ttpvhcc").get("/mot-cua/tiep-nhan").get_data(as_text=True)
    assert "1.001612" in commune and "1.009972" not in commune
    assert "1.009972" in province and "1.001612" not in province



def test_the_dashboard_counts_each_lead_agencys_assigned_tasks_owed_and_overdue(app, api, people,
                                                                              clock):
    assert assignment_flows.register(api).status_code == 201
    office = signed_in_as(app, "cv.vp")
    page = office.get("/qua-han").get_data(as_text=True)
    owed = page[page.index('id="assignment-backlog"'):]
    assert re.search(r'<th scope="row">Sở Xây dựng</th><td>1</td><td class="">0</td>', owed)
    assert 'href="/nhiem-vu-duoc-giao"' in owed
    clock.set(datetime(2026, 4, 1, 2, 0, tzinfo=UTC))  # long past its 10 working days
    late = office.get("/qua-han").get_data(as_text=True)
    owed = late[late.index('id="assignment-backlog"'):]
    assert re.search(r'<th scope="row">Sở Xây dựng</th><td>1</td><td class="overdue">1</td>', owed)
    items = late[late.index('id="items"'):late.index('id="backlog"')]
    assert "Theo dõi nhiệm vụ được giao" in items  # its lead's open step is on the overdue list too
