"""The dossier section of the discipline report: the 766 on-time rate counted by hand.

Six household-business dossiers (procedure 1.001612: 3 working days = 24 working hours, one-stop
appointment model) at the Kinh Bắc ward, November 2026, Hà Nội time (UTC+7), working periods
07:30–11:30 and 13:00–17:00. Received Monday 2/11 09:00 → 6.5 h Mon, 8 h Tue 3/11, 8 h Wed 4/11
(22.5 h), 1.5 h from 07:30 Thu 5/11 → promised Thursday 5/11 09:00.

- D1 received 2/11 09:00, finished 3/11 09:00 → on time (8 working hours = 1 working day).
- D2 received 2/11 09:00, two supplement requests (no time paused), finished at once → late
  (a second supplement request is late under 766), 0 working days.
- D3 received 2/11 09:00, finished Friday 6/11 09:00, after the promise → late;
  6.5 + 8 + 8 + 8 + 1.5 = 32 h = 4 working days.
- D4 received 2/11 09:00, apology on 3/11 (in time: the last instant is 4/11 09:00) with a new
  date 10/11 17:00, still open on 30/11 → overdue at the month's end (766 judges against the
  original promise).
- D5 received Friday 27/11 09:00 → 6.5 h 27/11, 8 h 30/11, 8 h 1/12, 1.5 h 2/12 → promised
  2/12 09:00: still within time at the month's end.
- D6 refused at the desk on 2/11: finished (an end point) and on time, never received.
"""

from datetime import datetime, timedelta, timezone
from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.dossier_flows import receive, step
from tests.integration.test_reports import pdf_or_skip

VN = timezone(timedelta(hours=7))
K, HEAD, HOUSEHOLD = "UBND_KINHBAC", "UBND_KINHBAC_head", "1.001612"


def vn(day, month, hour, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def appraising(api) -> str:
    code = receive(api, K, HOUSEHOLD)["code"]
    step(api, K, code, "receive", {"decision": "accept"})
    step(api, K, code, "hand_over")
    step(api, HEAD, code, "assign", {"assignee": "cv.ubnd_kinhbac"})
    return code


def finish(api, code: str) -> dict:
    step(api, K, code, "appraise", {"outcome": "propose"})
    step(api, HEAD, code, "sign", {"signed": True})
    return step(api, K, code, "return_result", {"note": "Đã trả kết quả"})


def test_the_766_rate_and_the_procedure_time_match_the_hand_count(api, clock):
    clock.set(vn(2, 11, 9))
    d1, d2, d3, d4 = (appraising(api) for _ in range(4))
    d6 = receive(api, K, HOUSEHOLD)["code"]
    step(api, K, d6, "receive", {"decision": "refuse", "reasons": "Hộ kinh doanh đã đăng ký trước đó"})
    for _ in range(2):
        step(api, K, d2, "appraise", {"outcome": "supplement", "reasons": "Bổ sung hợp đồng thuê nhà"})
        step(api, K, d2, "receive_supplement")
    assert finish(api, d2)["verdict"] == "late"
    clock.set(vn(3, 11, 9))
    assert finish(api, d1)["verdict"] == "on_time"
    apology = api("POST", f"/api/v1/dossiers/{d4}/apology", HEAD,
                  json={"new_promised_at": vn(10, 11, 17).isoformat(), "reason": "Cần xác minh địa điểm"})
    assert apology.status_code == 200, apology.json
    clock.set(vn(6, 11, 9))
    assert finish(api, d3)["verdict"] == "late"
    clock.set(vn(27, 11, 9))
    appraising(api)  # D5
    clock.set(vn(1, 12, 10))

    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    [row] = [r for r in report["sections"]["dossiers"]["rows"] if r["agency"] == K]
    # Finished: D1, D6 on time; D2, D3 late. Open at the end: D5 in time, D4 overdue.
    # In the period 4 + 1 + 1 = 6; on time or within time 2 + 1 = 3; rate 3/6 = 50%; 20 × 0.5 = 10.
    assert {k: row[k] for k in ("received", "finished", "finished_on_time", "finished_late",
                                "in_time_at_end", "overdue_at_end", "in_period", "on_time_766",
                                "on_time_rate", "progress_766", "apologies", "refused",
                                "supplements_over_one")} == {
        "received": 5, "finished": 4, "finished_on_time": 2, "finished_late": 2, "in_time_at_end": 1,
        "overdue_at_end": 1, "in_period": 6, "on_time_766": 3, "on_time_rate": 0.5,
        "progress_766": 10.0, "apologies": 1, "refused": 1, "supplements_over_one": 1}
    # Received-to-finished working time of D1, D2, D3: 1, 0 and 4 days → (1 + 0 + 4) / 3 = 1.67.
    assert report["sections"]["dossiers"]["procedures"] == [
        {"agency": K, "procedure_code": HOUSEHOLD, "finished": 3, "average_working_days": 1.67}]
    ranking = {r["agency"]: r for r in report["sections"]["ranking"]["rows"]}
    assert ranking[K]["indicators"]["dossier_on_time_rate"] == 0.5  # weighted 20 in scoring.toml
    assert report["sections"]["dossiers"]["totals"]["on_time_rate"] == 0.5
    october = api("GET", "/api/v1/reports/discipline?month=2026-10", "SNV_home_affairs").json
    assert all(r["in_period"] == 0 and r["on_time_rate"] is None
               for r in october["sections"]["dossiers"]["rows"])

    # The files Home Affairs downloads hold the same 766 figures.
    book = load_workbook(BytesIO(api("GET", "/api/v1/reports/discipline.xlsx?month=2026-11",
                                     "SNV_home_affairs").data))
    sheet = book["Hồ sơ TTHC – Quyết định 766"]
    headings = [c.value for c in sheet[2]]
    [cells] = [r for r in sheet.iter_rows(min_row=3) if r[0].value == K]
    assert cells[headings.index("Tỷ lệ đúng hạn")].value == 0.5
    assert cells[headings.index("Tỷ lệ đúng hạn")].number_format == "0.0%"
    assert cells[headings.index("Điểm tiến độ (20 × tỷ lệ)")].value == 10.0
    assert cells[headings.index("Hồ sơ trong kỳ")].value == 6
    pdf_or_skip()
    pdf = api("GET", "/api/v1/reports/discipline.pdf?month=2026-11", "SNV_home_affairs")
    lines = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages).splitlines()
    # UBND_KINHBAC's 766 row: received 5 … in period 6, rate 50,0%, progress 10,00.
    assert any(line.startswith(f"{K} ") and "6 50,0% 10,00" in line for line in lines)
