"""A dossier's forms printed from its audit trail, as HTML and as PDF.

The clock starts at 09:00 Thursday 12/02/2026 (Vietnam time), the day before the last working
day ahead of Tết (14-22/02 off). Expected instants are counted by hand in the comments.
"""

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest

from tests.dossier_flows import receive, step

PERMIT = "1.009972"  # construction permit, Sở Xây dựng, 20 working days, desk TTPVHCC
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "document-screens"


def pdf_or_skip() -> None:
    """Skip visibly without WeasyPrint's system libraries, unless CI made PDF mandatory."""
    from service.exports.pdf import PdfUnavailable, _weasyprint_html

    try:
        _weasyprint_html()
    except PdfUnavailable as err:
        if os.environ.get("DUNGHAN_REQUIRE_PDF") == "1":
            pytest.fail(f"DUNGHAN_REQUIRE_PDF=1 but {err.package} is missing")
        pytest.skip(f"PDF needs the Debian package {err.package}")


def pdf_text(body: bytes, pages: int, name: str) -> str:
    """Open the PDF, check its page count, save a picture of page 1 for review, return its text."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(body))
    assert len(reader.pages) == pages
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{name}.pdf").write_bytes(body)
    if os.environ.get("DUNGHAN_REQUIRE_PDF") == "1":
        assert shutil.which("pdftoppm"), "DUNGHAN_REQUIRE_PDF=1 but poppler-utils is missing"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(SCREENSHOTS / f"{name}.pdf"), str(SCREENSHOTS / name)], check=True)
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 5000
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def finished_permit(api, clock):
    """A permit paused for a supplement over Tết, apologised for, then returned.

    Received Thu 12/02 09:00: 20 working days -> promised Thu 19/03 09:00 (see the dossier tests).
    """
    code = receive(api, "TTPVHCC", PERMIT, documents=["Đơn đề nghị cấp giấy phép xây dựng",
                                                      "Bản vẽ thiết kế"])["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    step(api, "TTPVHCC", code, "hand_over")
    step(api, "SXD_head", code, "assign", {"assignee": "cv.sxd"})
    clock.set(datetime(2026, 2, 13, 3, 0, tzinfo=UTC))  # Fri 13/02 10:00
    step(api, "SXD", code, "appraise", {"outcome": "supplement",
                                        "reasons": "Thiếu bản vẽ mặt bằng móng công trình"})
    clock.set(datetime(2026, 2, 24, 2, 0, tzinfo=UTC))  # Tue 24/02 09:00, after Tết
    view = step(api, "TTPVHCC", code, "receive_supplement")
    return code, view


def test_the_desk_prints_the_receipt_of_a_dossier_received_a_moment_ago(api):
    pdf_or_skip()
    code = receive(api, "TTPVHCC", PERMIT, documents=["Đơn đề nghị cấp giấy phép xây dựng"])["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    html = api("GET", f"/api/v1/dossiers/{code}/documents/01.html", "TTPVHCC")
    assert html.status_code == 200 and html.mimetype == "text/html"
    page = text_of(html.data.decode())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", code, "Nguyễn Văn An",
                     "Đơn đề nghị cấp giấy phép xây dựng", "20 ngày làm việc",
                     "09:00 ngày 12/02/2026",  # received now
                     "09:00 ngày 19/03/2026",  # promised: 20 working days over Tết (see the dossier tests)
                     "ngày 12 tháng 02 năm 2026"):
        assert expected in page, expected
    pdf = api("GET", f"/api/v1/dossiers/{code}/documents/01.pdf", "TTPVHCC")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data, 1, "form-01")
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", code, "Nguyễn Văn An",
                     "09:00 ngày 19/03/2026", "Độc lập - Tự do - Hạnh phúc"):
        assert expected in text, expected


def test_the_control_sheet_shows_every_hand_off_the_pause_over_tet_and_the_apology(
        api, clock, finished_permit):
    pdf_or_skip()
    code, view = finished_permit
    # Paused Fri 13/02 10:00 -> Tue 24/02 09:00: 5.5 h Fri 13/02 + 8 h Mon 23/02 + 1.5 h Tue = 15 h,
    # so the promise moves from Thu 19/03 09:00 by 15 working hours: 6.5 h Thu, 8 h Fri 20/03,
    # 0.5 h from 07:30 Mon 23/03: 08:00 Mon 23/03.
    assert view["promised_at"] == "2026-03-23T01:00:00+00:00"
    clock.set(datetime(2026, 3, 16, 2, 0, tzinfo=UTC))  # Mon 16/03 09:00
    apology = api("POST", f"/api/v1/dossiers/{code}/apology", "SXD_head",
                  json={"new_promised_at": "2026-03-27T16:00:00+07:00",
                        "reason": "Cần lấy ý kiến cơ quan phòng cháy"})
    assert apology.status_code == 200, apology.json
    clock.set(datetime(2026, 3, 25, 2, 0, tzinfo=UTC))  # Wed 25/03 09:00
    step(api, "SXD", code, "appraise", {"outcome": "propose"})
    step(api, "SXD_head", code, "sign", {"signed": True})
    step(api, "TTPVHCC", code, "return_result", {"note": "Đã trả giấy phép"})
    html = api("GET", f"/api/v1/dossiers/{code}/documents/05.html", "TTPVHCC")
    assert html.status_code == 200
    rows = table_rows(html.data.decode())
    desk, sxd = "Trung tâm Phục vụ hành chính công tỉnh", "Sở Xây dựng"
    # Columns: step, giver, receiver, received, due, completed, verdict. The hand-over and the
    # assignment have half a day: 4 working hours from 09:00 Thu 12/02 is 14:30 (2.5 h + 1.5 h).
    assert rows[:3] == [
        ["Kiểm tra, tiếp nhận hồ sơ", desk, desk, "09:00 ngày 12/02/2026", "",
         "09:00 ngày 12/02/2026", "Đúng hạn"],
        ["Chuyển hồ sơ cho cơ quan giải quyết", desk, desk, "09:00 ngày 12/02/2026",
         "14:30 ngày 12/02/2026", "09:00 ngày 12/02/2026", "Đúng hạn"],
        ["Phân công công chức xử lý", desk, sxd, "09:00 ngày 12/02/2026", "14:30 ngày 12/02/2026",
         "09:00 ngày 12/02/2026", "Đúng hạn"]]
    first_appraisal, pause, receive_supplement, second_appraisal, apology, sign, ret = rows[3:]
    # Appraised on Fri 13/02, days before its due day: early.
    assert (first_appraisal[0], first_appraisal[5], first_appraisal[6]) == (
        "Thẩm định hồ sơ", "10:00 ngày 13/02/2026", "Trước hạn")
    assert pause == ["Tạm dừng (Yêu cầu bổ sung) từ 10:00 ngày 13/02/2026 đến 09:00 ngày 24/02/2026"]
    assert receive_supplement[0] == "Nhận hồ sơ bổ sung của công dân"
    assert receive_supplement[5:] == ["09:00 ngày 24/02/2026", "Đúng hạn"]
    # The appraisal's slice is 11.5 working days (92 h): the first, opened 09:00 Thu 12/02, is due
    # 6.5 h + 8 h (Fri) + 72 h (23/02-05/03) + 5.5 h = 14:30 Fri 06/03; the second, opened 09:00
    # Tue 24/02, is due 6.5 h + 24 h (25-27/02) + 40 h + 16 h (9-10/03) + 5.5 h = 14:30 Wed 11/03.
    assert first_appraisal[4] == "14:30 ngày 06/03/2026"
    # The second ended Wed 25/03, after its due instant: late.
    assert second_appraisal[3:] == ["09:00 ngày 24/02/2026", "14:30 ngày 11/03/2026",
                                    "09:00 ngày 25/03/2026", "Quá hạn"]
    assert apology == ["Phiếu xin lỗi và hẹn lại ngày trả kết quả lúc 09:00 ngày 16/03/2026: hẹn trả "
                       "từ 08:00 ngày 23/03/2026 lùi đến 16:00 ngày 27/03/2026; lý do: Cần lấy ý "
                       "kiến cơ quan phòng cháy"]
    assert (sign[0], sign[6]) == ("Lãnh đạo ký duyệt kết quả", "Trước hạn")
    assert (ret[0], ret[1], ret[2], ret[6]) == ("Trả kết quả cho công dân", sxd, desk, "Đúng hạn")
    pdf = api("GET", f"/api/v1/dossiers/{code}/documents/05.pdf", "TTPVHCC")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, 1, "form-05")
    for expected in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", code, "Nguyễn Văn An",
                     "Trước hạn", "Đúng hạn", "Quá hạn", "Tạm dừng (Yêu cầu bổ sung)",
                     "Độc lập - Tự do - Hạnh phúc", "16:00 ngày 27/03/2026", "Sở Xây dựng"):
        assert expected in text, expected
    # Diacritics survive the PDF: ơ (Sở), ư (Trước), ắ (Bắc Ninh), ễ (Nguyễn), ộ (Cộng).
    for letter in ("ơ", "ư", "ắ", "ễ", "ộ"):
        assert letter in text, letter

    apology_html = text_of(api("GET", f"/api/v1/dossiers/{code}/documents/04.html", "SXD").data.decode())
    for expected in ("Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Sở Xây dựng", "Nguyễn Văn An",
                     "08:00 ngày 23/03/2026", "16:00 ngày 27/03/2026", "Cần lấy ý kiến cơ quan phòng cháy",
                     "ngày 16 tháng 3 năm 2026"):  # no leading zero from March on (Decree 30)
        assert expected in apology_html, expected
    text = pdf_text(api("GET", f"/api/v1/dossiers/{code}/documents/04.pdf", "SXD").data, 1, "form-04")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text and "16:00 ngày 27/03/2026" in text

    supplement = text_of(api("GET", f"/api/v1/dossiers/{code}/documents/02.html", "TTPVHCC").data.decode())
    assert "Thiếu bản vẽ mặt bằng móng công trình" in supplement and "Nguyễn Văn An" in supplement
    text = pdf_text(api("GET", f"/api/v1/dossiers/{code}/documents/02.pdf", "TTPVHCC").data, 1, "form-02")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "Thiếu bản vẽ mặt bằng móng" in text


def table_rows(html: str) -> list[list[str]]:
    """Return the cells of each body row of the page's grid table, as text."""
    grid = html[html.index('class="grid"'):]
    grid = grid[:grid.index("</table>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", grid, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<br>", " ", c)).strip() for c in cells])
    return rows


def test_the_refusal_prints_its_reasons(api):
    pdf_or_skip()
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", code, "receive",
         {"decision": "refuse", "reasons": "Công trình không thuộc thẩm quyền cấp tỉnh"})
    page = text_of(api("GET", f"/api/v1/dossiers/{code}/documents/03.html", "TTPVHCC").data.decode())
    for expected in ("Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Nguyễn Văn An",
                     "Công trình không thuộc thẩm quyền cấp tỉnh", "ngày 12 tháng 02 năm 2026"):
        assert expected in page, expected
    text = pdf_text(api("GET", f"/api/v1/dossiers/{code}/documents/03.pdf", "TTPVHCC").data, 1, "form-03")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Công trình không thuộc thẩm quyền cấp tỉnh" in text
    # A refused dossier has no apology to print; an unknown form is not found.
    assert api("GET", f"/api/v1/dossiers/{code}/documents/04.html", "TTPVHCC").status_code == 422
    assert api("GET", f"/api/v1/dossiers/{code}/documents/99.html", "TTPVHCC").status_code == 404


def test_documents_follow_the_dossier_access_rules(api):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    assert api("GET", f"/api/v1/dossiers/{code}/documents/01.html").status_code == 401
    assert api("GET", f"/api/v1/dossiers/{code}/documents/01.html", "STP").status_code == 403
    assert api("GET", f"/api/v1/dossiers/{code}/documents/05.html", "SXD").status_code == 200


def test_the_applicant_reopens_the_receipt_with_the_printed_secret(api):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    receipt = api("GET", f"/api/v1/dossiers/{code}/documents/01.html", "TTPVHCC").data.decode()
    secret = re.search(r'class="secret">([0-9A-F]{8})<', receipt).group(1)
    public = api("GET", f"/api/v1/public/dossiers/{code}/receipt.html?secret={secret.lower()}")
    assert public.status_code == 200 and code in public.data.decode()
    wrong = "0" * 8 if secret != "0" * 8 else "1" * 8
    denied = api("GET", f"/api/v1/public/dossiers/{code}/receipt.html?secret={wrong}")
    unknown = api("GET", f"/api/v1/public/dossiers/BN-SXD-260212-9999/receipt.html?secret={secret}")
    assert denied.status_code == unknown.status_code == 404
    assert denied.json["detail"] == unknown.json["detail"]
    assert api("GET", f"/api/v1/public/dossiers/{code}/receipt.html").status_code == 422
    # The lookup page offers the receipt to whoever types the secret.
    lookup = api("GET", f"/tra-cuu?ma={code}").data.decode()
    assert f'action="/api/v1/public/dossiers/{code}/receipt.pdf"' in lookup
    assert 'name="secret"' in lookup


def test_pdf_routes_answer_503_naming_the_package_when_pango_is_missing(api, monkeypatch):
    from service.exports import pdf

    def missing():
        raise pdf.PdfUnavailable("libpango-1.0-0")

    monkeypatch.setattr(pdf, "_weasyprint_html", missing)
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    answer = api("GET", f"/api/v1/dossiers/{code}/documents/01.pdf", "TTPVHCC")
    assert answer.status_code == 503 and answer.json["package"] == "libpango-1.0-0"
    assert api("GET", f"/api/v1/dossiers/{code}/documents/01.html", "TTPVHCC").status_code == 200


def test_an_operator_prints_the_control_sheet_from_the_command_line(
        api, finished_permit, uow_factory, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import main

    pdf_or_skip()
    code, _ = finished_permit
    monkeypatch.setenv("DUNGHAN_DATABASE_URL", uow_factory.url)
    out = tmp_path / "05.pdf"
    result = CliRunner().invoke(main, ["document", code.lower(), "05", "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    assert f"hồ sơ {code} (PDF)" in result.output
    text = pdf_text(out.read_bytes(), 1, "form-05-cli")
    for expected in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Trước hạn", "Đúng hạn",
                     "Tạm dừng (Yêu cầu bổ sung) từ 10:00 ngày 13/02/2026 đến 09:00 ngày 24/02/2026"):
        assert expected in text, expected
    unknown = CliRunner().invoke(main, ["document", "BN-SXD-260212-9999", "05"])
    assert unknown.exit_code != 0 and "Không tìm thấy hồ sơ" in unknown.output
    helped = CliRunner().invoke(main, ["document", "--help"])
    assert "phiếu kiểm soát" in helped.output and "Ghi bản PDF vào tệp này" in helped.output


def test_twenty_refusals_printed_at_once_take_twenty_consecutive_numbers(app, api):
    import threading

    codes = []
    for _ in range(20):
        code = receive(api, "TTPVHCC", PERMIT)["code"]
        step(api, "TTPVHCC", code, "receive", {"decision": "refuse", "reasons": "Sai thẩm quyền"})
        codes.append(code)
    start, numbers, errors = threading.Barrier(20), {}, []

    def print_refusal(code: str) -> None:
        client = app.test_client()
        start.wait()
        answer = client.get(f"/api/v1/dossiers/{code}/documents/03.html",
                            headers={"Authorization": f"Bearer {api.tokens['TTPVHCC']}"})
        if answer.status_code != 200:
            errors.append((code, answer.status_code, answer.data[:300]))
            return
        numbers[code] = re.search(r"Số: ([^<]+)<", answer.data.decode()).group(1)

    threads = [threading.Thread(target=print_refusal, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # The desk's series for 2026: 1/PTC-TTPVHCC ... 20/PTC-TTPVHCC, no gap, no duplicate.
    assert sorted(int(n.split("/")[0]) for n in numbers.values()) == list(range(1, 21))
    assert all(n.endswith("/PTC-TTPVHCC") for n in numbers.values())
    # A reprint shows the number the first print took; the next document takes 21.
    again = api("GET", f"/api/v1/dossiers/{codes[0]}/documents/03.html", "TTPVHCC").data.decode()
    assert f"Số: {numbers[codes[0]]}<" in again
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "refuse", "reasons": "Sai thẩm quyền"})
    latest = api("GET", f"/api/v1/dossiers/{code}/documents/03.html", "TTPVHCC").data.decode()
    assert "Số: 21/PTC-TTPVHCC<" in latest


def test_a_consultation_prints_its_request_and_the_synthesis_of_three_replies(api, clock):
    from tests.flows import complete, start

    pdf_or_skip()
    instance_id, _ = start(api)  # STP asks SXD, STC and SNNMT, 5 working days, at 09:00 Thu 12/02
    assert complete(api, "SXD", instance_id, {"position": "agree", "reasons": ""}).status_code == 200
    clock.set(datetime(2026, 2, 25, 3, 0, tzinfo=UTC))  # Wed 25/02 10:00
    assert complete(api, "STC", instance_id, {
        "position": "agree_with_amendments",
        "reasons": "Đề nghị bổ sung kinh phí duy tu tại Điều 9 vì chưa có nguồn chi"}).status_code == 200
    clock.set(datetime(2026, 2, 27, 2, 0, tzinfo=UTC))  # Fri 27/02 09:00, a day past the due day
    assert complete(api, "SNNMT", instance_id, {
        "position": "disagree",
        "reasons": "Không đồng ý giao cấp xã quản lý cây xanh trên quốc lộ tại Điều 6 vì trái Luật Đường bộ"}
    ).status_code == 200
    assert complete(api, "STP", instance_id, {
        "synthesis": "Tiếp thu ý kiến Sở Tài chính; giải trình với Sở Nông nghiệp và Môi trường."}
    ).status_code == 200

    request = api("GET", f"/api/v1/instances/{instance_id}/documents/request.html", "SXD")
    assert request.status_code == 200
    page = text_of(request.data.decode())
    # Day count from Thu 12/02: day 1 Fri 13/02, Tết 14-22/02, days 2-5 Mon 23 - Thu 26/02.
    for expected in ("Sở Tư pháp", "Số: 1/STP", "V/v lấy ý kiến về Dự thảo Quyết định quy định quản lý "
                     "cây xanh đô thị", "Kính gửi: Sở Xây dựng", "17:00 ngày 26/02/2026",
                     "ngày 12 tháng 02 năm 2026", "coi là đồng ý"):
        assert expected in page, expected
    text = pdf_text(api("GET", f"/api/v1/instances/{instance_id}/documents/request.pdf", "STP").data,
                    1, "consultation-request")
    assert "Số: 1/STP" in text and "17:00 ngày 26/02/2026" in text and "Độc lập - Tự do - Hạnh phúc" in text

    # The synthesis shows every reply: only the lead prints it.
    assert api("GET", f"/api/v1/instances/{instance_id}/documents/synthesis.html", "SXD").status_code == 403
    synthesis = api("GET", f"/api/v1/instances/{instance_id}/documents/synthesis.html", "STP")
    assert synthesis.status_code == 200
    rows = table_rows(synthesis.data.decode())
    assert [r[1:3] + r[4:] for r in rows] == [
        ["Sở Nông nghiệp và Môi trường", "Không đồng ý", "09:00 ngày 27/02/2026",
         "17:00 ngày 26/02/2026", "Quá hạn"],
        ["Sở Tài chính", "Đồng ý, có ý kiến", "10:00 ngày 25/02/2026", "17:00 ngày 26/02/2026",
         "Trước hạn"],
        ["Sở Xây dựng", "Đồng ý", "09:00 ngày 12/02/2026", "17:00 ngày 26/02/2026", "Trước hạn"]]
    text = pdf_text(api("GET", f"/api/v1/instances/{instance_id}/documents/synthesis.pdf", "STP").data,
                    1, "consultation-synthesis")
    for expected in ("BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN", "Không đồng ý", "Quá hạn",
                     "Tiếp thu ý kiến Sở Tài chính", "Luật Đường bộ"):
        assert expected in text, expected
    assert api("GET", f"/api/v1/instances/{instance_id}/documents/memo.html", "STP").status_code == 404


def test_the_dossier_log_lists_a_month_of_receipts_with_their_verdicts(api, clock, finished_permit):
    pdf_or_skip()
    code, _ = finished_permit
    refused = receive(api, "TTPVHCC", PERMIT)["code"]  # Tue 24/02 09:00, refused at once
    step(api, "TTPVHCC", refused, "receive", {"decision": "refuse", "reasons": "Sai thẩm quyền"})
    log = api("GET", "/api/v1/documents/06.html?month=2026-02", "TTPVHCC")
    assert log.status_code == 200
    rows = table_rows(log.data.decode())
    assert [(r[1], r[2], r[4], r[7].split(";")[0]) for r in rows] == [
        (code, "Nguyễn Văn An", "09:00 ngày 12/02/2026", "Đang xử lý"),
        (refused, "Nguyễn Văn An", "09:00 ngày 24/02/2026", "Không được tiếp nhận")]
    assert "bổ sung 1 lần" in rows[0][7]
    # Still within its moved promise (08:00 Mon 23/03) at 09:00 Tue 24/02.
    assert rows[0][8] == "Trong hạn" and rows[1][8] == "Đúng hạn"
    text = pdf_text(api("GET", "/api/v1/documents/06.pdf?month=2026-02", "TTPVHCC").data, 1, "form-06")
    # The narrow code column wraps the codes at their hyphens.
    assert "SỔ THEO DÕI HỒ SƠ" in text and refused in text.replace(" ", "")
    assert "từ 01/02/2026 đến 28/02/2026" in text
    assert api("GET", "/api/v1/documents/06.html?month=2026-02&agency=SXD", "STP").status_code == 403
    assert api("GET", "/api/v1/documents/06.html?month=2026-13", "TTPVHCC").status_code == 422
    march = table_rows(api("GET", "/api/v1/documents/06.html?month=2026-03", "SXD").data.decode())
    assert march == [["Không có hồ sơ tiếp nhận trong khoảng thời gian này."]]
