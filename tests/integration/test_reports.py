"""The discipline report, the overdue list and the bottlenecks match counts made by hand.

One November 2026 scenario drives four real consultations over the API, a real worker on a
frozen clock, and a user who moves from SXD to STC. Calendar used in every count below:
Monday 23/11/2026 is a working day, 24/11 is not declared a day off, 28–29/11 is a weekend;
working periods 07:30–11:30 and 13:00–17:00 (8 h a day), Hà Nội time = UTC+7.

- C1: STP consults SXD, STC, SNNMT, 5 working days, silence is consent. Sent Monday 23/11
  09:00 (before the 15:00 cut-off): day 1 is 24/11, then 25, 26, 27, 30/11 → due 30/11 17:00.
  SXD answers 25/11 10:00, STC 27/11 09:00 (both on time); SNNMT stays silent.
- C2: STP consults STC only, 5 days, silence is NOT consent → due 30/11 17:00. STC answers
  on Tuesday 1/12 09:00: late, and the answer falls in December (the month boundary).
- C3: STP consults SXD, 5 days, silence not consent → due 30/11 17:00. Officer An (SXD)
  claims it on 24/11 and never answers.
- C4: on 25/11 09:00, after An moved to STC, STP consults STC, 3 days: day 1 is 26/11,
  then 27, 30/11 → due 30/11 17:00. An (now STC) claims it and never answers.
- The worker runs once at 30/11 17:00: every reply still open gets its ``overdue`` rung (a
  violation); SNNMT's reply is then closed as a deemed consent (a second violation); STP's
  synthesis of C1 opens. SNV (Department of Home Affairs) has no activity at all.
"""

import os
from datetime import UTC, datetime

import pytest

from engine import directory, services
from engine.identity import SYSTEM, Role
from engine.rules import Rules
from engine.services import directory as directory_services
from engine.worker import Worker
from tests import flows
from tests.conftest import PROCESSES, Api

SCORING = """
[weights]
reply_on_time_rate = 40.0
deemed_consent_rate = -20.0
work_on_time_rate = 40.0
dossier_on_time_rate = 20.0
overdue = -2.0
escalated = -3.0
late_completion = -1.0
overdue_open_at_end = -1.0

[bottlenecks]
simplification_target = 0.20
"""


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    """Return a Hà Nội wall-clock time of 2026 as UTC (UTC+7, no daylight saving)."""
    return utc(2026, month, day, hour - 7, minute)


@pytest.fixture
def province(uow_factory, clock, tokens, tmp_path):
    """Play the November scenario; return the API, the clock and officer An's user id."""
    from service.app import create_app

    scoring = tmp_path / "scoring.toml"
    scoring.write_text(SCORING, encoding="utf-8")
    rules = Rules.from_files()
    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                      "PROCESSES_DIR": PROCESSES, "SCORING_FILE": str(scoring)})
    api = Api(app.test_client(), tokens)
    worker = Worker(uow_factory, clock, services.handlers(rules), worker_id="report-test")
    an = directory.seed_user(uow_factory(), clock, "an.nv", "Nguyễn Văn An", "SXD", ["officer"], None)
    tokens["AN"] = directory.issue_token(uow_factory(), clock, "SXD", Role.OFFICER, "an", user_id=an)

    clock.set(local(23, 11, 9))
    c1, _ = flows.start(api, consulted=("SXD", "STC", "SNNMT"))
    c2, _ = flows.start(api, consulted=("STC",), silence_is_consent=False)
    c3, _ = flows.start(api, consulted=("SXD",), silence_is_consent=False)
    clock.set(local(24, 11, 9))
    claim(api, "AN", flows.open_task(api, "SXD", c3)["id"])
    clock.set(local(25, 11, 9))
    directory_services.update_user(uow_factory(), clock, SYSTEM, an, {"agency_code": "STC"})
    # A token acts for the agency it was issued for: An needs an STC token now.
    tokens["AN"] = directory.issue_token(uow_factory(), clock, "STC", Role.OFFICER, "an", user_id=an)
    c4, _ = flows.start(api, consulted=("STC",), silence_is_consent=False, reply_days=3)
    clock.set(local(25, 11, 10))
    assert flows.reply(api, "SXD", c1, "agree").status_code == 200
    clock.set(local(26, 11, 9))
    claim(api, "AN", flows.open_task(api, "STC", c4)["id"])
    clock.set(local(27, 11, 9))
    assert flows.reply(api, "STC", c1, "agree_with_amendments").status_code == 200
    clock.set(local(30, 11, 17))
    worker.run_once()
    clock.set(local(1, 12, 9))
    assert flows.reply(api, "STC", c2, "agree").status_code == 200
    clock.set(local(1, 12, 10))
    return api, an


def claim(api, who: str, task_id: str) -> None:
    assert api("POST", f"/api/v1/tasks/{task_id}/claim", who).status_code == 200


def rows(report: dict, section: str) -> dict[str, dict]:
    return {r["agency"]: r for r in report["sections"][section]["rows"]}


def test_november_figures_per_agency_match_the_hand_count(province):
    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    assert report["period"]["start"] == "2026-10-31T17:00:00+00:00"  # 1/11 00:00 in Hà Nội
    replies = rows(report, "consultations")
    # SXD: C1 answered 25/11 ≤ 30/11 17:00 → on time; C3 open at month end, due 30/11 → overdue.
    assert _pick(replies["SXD"], "replies_closed", "on_time", "late", "deemed_consent",
                 "overdue_open_at_end") == (1, 1, 0, 0, 1)
    # STC: C1 on time; C2 (answered 1/12) and C4 still open at the end of November, both past due.
    assert _pick(replies["STC"], "replies_closed", "on_time", "late", "deemed_consent",
                 "overdue_open_at_end") == (1, 1, 0, 0, 2)
    # SNNMT: silent on C1, closed as deemed consent at 30/11 17:00.
    assert _pick(replies["SNNMT"], "replies_closed", "on_time", "late", "deemed_consent",
                 "overdue_open_at_end") == (1, 0, 0, 1, 0)
    # STP sent C1..C4 and consulted 3 + 1 + 1 + 1 = 6 agencies: 1.5 per request.
    assert _pick(replies["STP"], "requests_sent", "agencies_consulted", "agencies_per_request") == (4, 6, 1.5)
    assert report["sections"]["consultations"]["totals"]["replies_closed"] == 3
    assert report["sections"]["consultations"]["not_yet_recorded"] == {}

    breaches = rows(report, "violations")
    # The overdue rung fires at 30/11 17:00 for SNNMT (then deemed), STC (C2, C4) and SXD (C3).
    assert _pick(breaches["SNNMT"], "overdue", "deemed_consent", "late_completion", "total") == (1, 1, 0, 2)
    assert _pick(breaches["STC"], "overdue", "deemed_consent", "late_completion", "total") == (2, 0, 0, 2)
    assert _pick(breaches["SXD"], "overdue", "total") == (1, 1)
    assert report["sections"]["violations"]["totals"]["total"] == 5

    work = rows(report, "work")
    # STP: four drafts (no deadline, closed at once) + C1's synthesis opened 30/11 17:00.
    assert _pick(work["STP"], "received", "closed", "closed_on_time", "open_at_end",
                 "overdue_open_at_end") == (5, 4, 4, 1, 0)
    # SNNMT: a deemed consent is work not done by the deadline, so it counts late.
    assert _pick(work["SNNMT"], "closed", "closed_on_time", "closed_late") == (1, 0, 1)
    assert _pick(work["SNV"], *work["SNV"].keys() - {"agency", "name"}) == (0,) * 6

    assert report["sections"]["feedback"]["status"] == "not_yet_recorded"
    assert report["sections"]["feedback"]["reason"]
    # No task was assigned in this province: zeros that are facts, not a missing section.
    assert report["sections"]["assigned_tasks"]["totals"] == dict.fromkeys(
        ("assigned", "completed", "completed_late", "open_at_end", "overdue_at_end"), 0)


def _pick(row: dict, *fields: str) -> tuple:
    return tuple(row[f] for f in fields)


def test_ranking_follows_the_configured_weights_and_skips_an_idle_agency(province):
    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "VPUBND").json
    ranking = rows(report, "ranking")
    # SXD: 40×1/1 (replies) + 40×1/1 (work) − 2×1 overdue − 1×1 open overdue = 77
    # STC: 40×1/1 + 40×1/1 − 2×2 − 1×2 = 74;  STP: work only, 40×4/4 = 40
    # SNNMT: 40×0/1 − 20×1/1 (deemed) + 40×0/1 − 2×1 = −22
    assert {c: ranking[c]["score"] for c in ("SXD", "STC", "STP", "SNNMT")} == \
        {"SXD": 77.0, "STC": 74.0, "STP": 40.0, "SNNMT": -22.0}
    assert [r["agency"] for r in report["sections"]["ranking"]["rows"][:4]] == ["SXD", "STC", "STP", "SNNMT"]
    assert [ranking[c]["rank"] for c in ("SXD", "STC", "STP", "SNNMT")] == [1, 2, 3, 4]
    assert ranking["STP"]["indicators"]["reply_on_time_rate"] is None  # no replies: no data, not 0
    # SNV did nothing in November: no score, no rank (not a zero that ranks it).
    assert (ranking["SNV"]["active"], ranking["SNV"]["score"], ranking["SNV"]["rank"]) == (False, None, None)
    # October had no activity; January–November holds only November's work.
    assert ranking["SXD"]["previous_score"] is None and ranking["SXD"]["score_change"] is None
    assert (ranking["SXD"]["ytd_score"], ranking["SXD"]["ytd_rank"]) == (77.0, 1)
    assert report["sections"]["ranking"]["scoring"]["weights"]["overdue"] == -2.0


def test_a_reply_due_on_the_last_day_and_given_on_the_first_counts_late_in_december(province):
    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-12", "SNV_home_affairs").json
    stc = rows(report, "consultations")["STC"]
    # C2: due 30/11 17:00, answered 1/12 09:00 → late in December; C4 is still open and past due.
    assert _pick(stc, "replies_closed", "on_time", "late", "overdue_open_at_end") == (1, 0, 1, 1)
    assert rows(report, "violations")["STC"]["late_completion"] == 1
    ranking = rows(report, "ranking")["STC"]
    # December: 40×0/1 + 40×0/1 − 1 late completion − 1 open overdue (C4) = −2; November 74.
    assert (ranking["score"], ranking["previous_score"], ranking["score_change"]) == (-2.0, 74.0, -76.0)
    # Year to date: replies 1 on time of 2 → 20; work 1 of 2 → 20; −2×2 overdue −1 late −1 open = 34.
    assert ranking["ytd_score"] == 34.0


def test_an_officer_who_moved_keeps_violations_from_both_agencies(province, uow_factory):
    api, an = province
    # SNNMT's head changes after November: November's unassigned work stays the former head's.
    directory_services.save_agency(uow_factory(), SYSTEM, "SNNMT", {"head_name": "Lê Văn Mới"})
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    people = report["sections"]["people"]
    [officer] = people["officers"]
    # C3 overdue while An was in SXD; C4 overdue after the move to STC.
    assert officer == {"user_id": an, "username": "an.nv", "full_name": "Nguyễn Văn An",
                       "current_agency": "STC", "violations": 2, "by_agency": {"STC": 1, "SXD": 1}}
    # Unclaimed work is charged to the head: SNNMT's overdue + deemed consent; STC's C2.
    assert [(h["agency"], h["head_name"], h["unassigned_violations"]) for h in people["heads"]] == [
        ("SNNMT", "Vũ Thị Nông", 2), ("STC", "Phạm Thị Tài", 1)]


def test_an_agency_reads_only_its_own_rows(province):
    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "STC").json
    assert report["scope"] == "STC"
    assert [r["agency"] for r in report["sections"]["ranking"]["rows"]] == ["STC"]
    assert report["sections"]["ranking"]["rows"][0]["rank"] == 2  # its place in the province
    assert [r["agency"] for r in report["sections"]["consultations"]["rows"]] == ["STC"]
    [officer] = report["sections"]["people"]["officers"]
    assert (officer["violations"], officer["by_agency"]) == (1, {"STC": 1})
    assert {r["agency"] for r in report["sections"]["bottlenecks"]["rows"]} == {"STC"}
    assert api("GET", "/api/v1/reports/discipline?month=2026-11", "SKHCN_designer").status_code == 403
    assert api("GET", "/api/v1/reports/overdue?agency=SXD", "STC").status_code == 403
    assert api("GET", "/api/v1/reports/discipline?month=2026-11").status_code == 401
    listed = api("GET", "/api/v1/reports", "SNV_home_affairs").json["items"]
    assert {r["name"] for r in listed} == {"discipline", "published", "overdue", "bottlenecks"}


@pytest.mark.parametrize("query", ["month=2026-13", "month=nov", "from=2026-12-01&to=2026-11-01",
                                   "from=2026-11-01"])
def test_a_bad_period_is_a_422_problem(province, query):
    api, _ = province
    answer = api("GET", f"/api/v1/reports/discipline?{query}", "SNV_home_affairs")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"


def test_overdue_list_filters_by_agency_person_and_days_late(province):
    api, an = province
    listed = api("GET", "/api/v1/reports/overdue", "VPUBND").json
    # Open and past due at 1/12 10:00: C3 at SXD and C4 at STC, both held by An, due 30/11 17:00;
    # late by 1/12 07:30–10:00 = 2.5 working hours, so 0 whole working days.
    assert sorted((i["agency"], i["holder"], i["working_hours_late"], i["working_days_late"])
                  for i in listed["items"]) == [("STC", "an.nv", 2.5, 0), ("SXD", "an.nv", 2.5, 0)]
    assert {i["head_name"] for i in listed["items"]} == {"Phạm Thị Tài", "Hoàng Văn Dựng"}
    assert len(api("GET", f"/api/v1/reports/overdue?person={an}", "VPUBND").json["items"]) == 2
    second = api("GET", "/api/v1/reports/overdue?per_page=1&page=2", "VPUBND").json
    assert (second["total"], len(second["items"])) == (2, 1)
    assert [i["agency"] for i in api("GET", "/api/v1/reports/overdue?agency=SXD", "VPUBND").json["items"]] \
        == ["SXD"]
    assert api("GET", "/api/v1/reports/overdue?min_days_late=1", "VPUBND").json["items"] == []
    assert api("GET", "/api/v1/reports/overdue?process=other", "VPUBND").json["items"] == []
    backlog = {b["agency"]: (b["open"], b["overdue"]) for b in listed["backlog"]
               if b["process_id"] == "lay_y_kien_phoi_hop"}
    # STC: C4 open and overdue; STP: C1's synthesis (due 8/12) and C2's (opened 1/12) open, none overdue.
    assert (backlog["STC"], backlog["STP"]) == ((1, 1), (2, 0))
    mine = api("GET", "/api/v1/reports/overdue", "STC").json
    assert [i["agency"] for i in mine["items"]] == ["STC"]


def test_overdue_list_groups_by_the_person_who_answers(province, uow_factory):
    api, an = province
    # Both overdue tasks are held by An (C3 from SXD, C4 at STC): one person, two agencies.
    assert api("GET", "/api/v1/reports/overdue", "VPUBND").json["by_person"] == [
        {"role": "holder", "user_id": an, "name": "Nguyễn Văn An", "agencies": ["STC", "SXD"], "overdue": 2}]
    # Had nobody claimed SXD's task, its head would answer for it.
    with uow_factory() as uow:
        overdue = uow.tasks.overdue(local(1, 12, 10))
        [held] = [t for t in overdue if t["agency_code"] == "SXD"]
        uow.tasks.update(held["id"], claimed_by=None, claimed_at=None)
        uow.commit()
    assert api("GET", "/api/v1/reports/overdue", "VPUBND").json["by_person"] == [
        {"role": "head", "user_id": None, "name": "Hoàng Văn Dựng", "agencies": ["SXD"], "overdue": 1},
        {"role": "holder", "user_id": an, "name": "Nguyễn Văn An", "agencies": ["STC"], "overdue": 1}]


def test_bottlenecks_count_working_hours_per_step_and_agency(province):
    api, _ = province
    found = api("GET", "/api/v1/reports/bottlenecks?month=2026-11", "SNV_home_affairs").json
    steps = {(r["step"], r["agency"]): r for r in found["rows"]}
    sxd = steps[("reply_to_consultation", "SXD")]
    # C1 at SXD: 23/11 09:00–11:30 + 13:00–17:00 = 6.5 h, 24/11 8 h, 25/11 07:30–10:00 2.5 h = 17 h.
    # C3 waits from 23/11 09:00 to the month's end: 6.5 + 4 × 8 (24–27/11) + 8 (30/11) = 46.5 h.
    assert _pick(sxd, "completed", "median_hours", "p90_hours", "target_hours", "waiting_at_end",
                 "longest_wait_hours", "repeats") == (1, 17.0, 17.0, 13.6, 1, 46.5, 0)
    # Every agency together: SXD 17 h, STC 32 h and SNNMT's deemed consent, open from 23/11
    # 09:00 to 30/11 17:00 (6.5 + 4 × 8 + 8 = 46.5 h): median 32 h, p90 (3rd of 3) 46.5 h,
    # target 32 × 0.8 = 25.6 h.
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    [replies] = [s for s in report["sections"]["bottlenecks"]["steps"]
                 if s["step"] == "reply_to_consultation"]
    assert _pick(replies, "completed", "median_hours", "p90_hours", "target_hours") == (3, 32.0, 46.5, 25.6)
    stc = steps[("reply_to_consultation", "STC")]
    # C1 at STC: 6.5 + 3 × 8 (24–26/11) + 07:30–09:00 on 27/11 (1.5) = 32 h. Waiting: C2 46.5 h,
    # C4 from 25/11 09:00: 6.5 + 2 × 8 (26, 27/11) + 8 (30/11) = 30.5 h.
    assert _pick(stc, "completed", "median_hours", "waiting_at_end", "longest_wait_hours") \
        == (1, 32.0, 2, 46.5)


def test_xlsx_holds_the_json_figures_with_real_number_formats(province):
    from io import BytesIO

    from openpyxl import load_workbook

    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    answer = api("GET", "/api/v1/reports/discipline.xlsx?month=2026-11", "SNV_home_affairs")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="bao-cao-ky-luat-2026-11.xlsx"' in answer.headers["Content-Disposition"]
    book = load_workbook(BytesIO(answer.data))
    assert book.sheetnames[:5] == ["Xếp hạng cơ quan", "Lấy ý kiến phối hợp", "Hồ sơ TTHC – Quyết định 766",
                                   "Thời gian theo thủ tục", "Công việc (mọi quy trình)"]
    ranking = sheet_rows(book["Xếp hạng cơ quan"])
    assert {r["Mã"]: r["Điểm"] for r in ranking} == {r["agency"]: r["score"]
                                                     for r in report["sections"]["ranking"]["rows"]}
    assert {r["Mã"]: r["Hạng"] for r in ranking}["SXD"] == 1
    cells = book["Xếp hạng cơ quan"]
    score_col = [c.value for c in cells[2]].index("Điểm") + 1
    rate_col = [c.value for c in cells[2]].index("Tỷ lệ trả lời đúng hạn") + 1
    assert cells.cell(3, score_col).number_format == "0.00"
    assert cells.cell(3, rate_col).number_format == "0.0%" and cells.cell(3, rate_col).value == 1.0
    replies = {r["Mã"]: r for r in sheet_rows(book["Lấy ý kiến phối hợp"])}
    for row in report["sections"]["consultations"]["rows"]:
        assert (replies[row["agency"]]["Đúng hạn"], replies[row["agency"]]["Coi như đồng ý"]) == \
            (row["on_time"], row["deemed_consent"])
    [officer] = sheet_rows(book["Cán bộ có nhiều vi phạm"])
    assert (officer["Tài khoản"], officer["Vi phạm"], officer["Theo cơ quan"]) == \
        ("an.nv", 2, "STC: 1; SXD: 1")
    absent = [r["Nội dung"] for r in sheet_rows(book["Chưa ghi nhận được"])]
    assert "Phản ánh, kiến nghị" in absent and "Tỷ lệ yêu cầu lấy ý kiến quá rộng" not in absent
    assert "Nhiệm vụ được giao" in book.sheetnames


def test_xlsx_drops_control_characters_a_cell_cannot_hold(province):
    from io import BytesIO

    from openpyxl import load_workbook

    from service.exports.xlsx import to_xlsx

    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    first = report["sections"]["ranking"]["rows"][0]
    first["name"] = "Sở\x01 Xây\x1b dựng"  # typed through the API by a careless client
    book = load_workbook(BytesIO(to_xlsx(report)))
    names = [value for row in sheet_rows(book["Xếp hạng cơ quan"]) for value in row.values()]
    assert "Sở Xây dựng" in names


def sheet_rows(sheet) -> list[dict]:
    """Read a sheet below its title row as dicts keyed by the heading row."""
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_csv_and_accept_header_choose_the_format(province):
    import csv
    from io import StringIO

    api, _ = province
    answer = api("GET", "/api/v1/reports/discipline?month=2026-11&section=violations", "SNV_home_affairs",
                 headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    table = list(csv.DictReader(StringIO(answer.data.decode("utf-8-sig"))))
    assert {r["Mã"]: int(r["Tổng"]) for r in table}["STC"] == 2
    wrong = api("GET", "/api/v1/reports/discipline.csv?month=2026-11&section=nope", "SNV_home_affairs")
    assert wrong.status_code == 422


def pdf_or_skip() -> None:
    """Skip visibly without WeasyPrint's system libraries, unless CI made PDF mandatory."""
    from service.exports.pdf import PdfUnavailable, _weasyprint_html

    try:
        _weasyprint_html()
    except PdfUnavailable as err:
        if os.environ.get("DUNGHAN_REQUIRE_PDF") == "1":
            pytest.fail(f"DUNGHAN_REQUIRE_PDF=1 but {err.package} is missing")
        pytest.skip(f"PDF needs the Debian package {err.package}")


def test_pdf_is_a_vietnamese_report_with_the_json_figures(province):
    from io import BytesIO

    from pypdf import PdfReader

    from service.exports.tables import Kind, vietnamese_number

    pdf_or_skip()
    api, _ = province
    report = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    answer = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs",
                 headers={"Accept": "application/pdf"})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(answer.data)).pages)
    assert "Kết quả thực hiện kỷ luật, kỷ cương hành chính" in text and "tháng 11/2026" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text and "GIÁM ĐỐC" in text
    lines = text.splitlines()
    for row in report["sections"]["ranking"]["rows"][:4]:  # 77,00 · 74,00 · 40,00 · -22,00
        score = vietnamese_number(row["score"], Kind.SCORE)
        assert any(row["name"] in line and score in line for line in lines), (row["name"], score)
    stc = next(r for r in report["sections"]["violations"]["rows"] if r["agency"] == "STC")
    assert any(line.startswith("STC Sở Tài chính") and line.split()[-1] == str(stc["total"])
               for line in lines)
    assert "Phản ánh, kiến nghị" in text and "Chưa ghi nhận được" in text  # absent, not zero


def test_pdf_without_pango_answers_503_naming_the_package(province, monkeypatch):
    from service.exports import pdf

    def missing():
        raise pdf.PdfUnavailable("libpango-1.0-0")

    monkeypatch.setattr(pdf, "_weasyprint_html", missing)
    api, _ = province
    answer = api("GET", "/api/v1/reports/discipline.pdf?month=2026-11", "SNV_home_affairs")
    assert answer.status_code == 503 and answer.json["package"] == "libpango-1.0-0"
    assert "libpango-1.0-0" in answer.json["detail"]


def test_the_first_working_day_job_publishes_november_and_queues_december(province, uow_factory, clock):
    import sqlalchemy as sa

    from engine.reports.scoring import Scoring
    from engine.services import reports
    from engine.store.jobs import jobs
    from engine.store.tables import outbox

    api, _ = province
    rules = Rules.from_files()
    clock.set(local(30, 11, 12))
    assert reports.schedule_publication(uow_factory(), clock, rules)  # November's run
    assert not reports.schedule_publication(uow_factory(), clock, rules)  # once per month
    worker = Worker(uow_factory, clock, reports.handlers(rules, Scoring.from_file()), worker_id="reports")
    # December 2026 starts on Tuesday 1/12, a working day: published at its opening, 07:30.
    assert run_at(clock, worker, local(1, 12, 7, 29)) == 0
    assert run_at(clock, worker, local(1, 12, 7, 30)) == 1
    [entry] = api("GET", "/api/v1/reports/discipline/published", "SNV_home_affairs").json["items"]
    assert (entry["period"], entry["revision"], entry["built_by"]) == ("2026-11", 1, "system")
    stored = api("GET", "/api/v1/reports/discipline/published/2026-11/1", "SNV_home_affairs").json
    assert rows(stored, "ranking")["SXD"]["score"] == 77.0 and stored["revision"] == 1
    with uow_factory.engine.connect() as conn:
        published = sa.select(outbox.c.payload).where(outbox.c.type == "report.published")
        [event] = conn.execute(published).scalars()
        due = conn.execute(sa.select(jobs.c.due_at).where(jobs.c.key == "report:discipline:2026-12")).scalar()
    assert (event["period"], event["revision"]) == ("2026-11", 1) and "SNV" in event["audience"]
    assert event["link_path"] == "/api/v1/reports/discipline/published/2026-11/1"
    # January 2027: Friday 1/1 is New Year's Day, 2–3/1 a weekend → Monday 4/1/2027 07:30.
    assert due == utc(2027, 1, 4, 0, 30)


def run_at(clock, worker, at: datetime) -> int:
    clock.set(at)
    return worker.run_once()


def test_a_correction_after_publication_is_revision_2_and_revision_1_stays(province, uow_factory, clock):
    import sqlalchemy as sa

    from engine.store.reports import published_reports

    api, an = province
    why = {"reason": "Công bố tháng 11"}
    first = api("POST", "/api/v1/reports/discipline/published/2026-11", "SNV_home_affairs", json=why)
    assert first.status_code == 201 and first.json["revision"] == 1
    again = api("POST", "/api/v1/reports/discipline/published/2026-11", "SNV_home_affairs", json=why)
    assert again.status_code == 200 and again.json["revision"] == 1  # same figures: no new revision
    assert api("POST", "/api/v1/reports/discipline/published/2026-11", "STC", json=why).status_code == 403
    original = api("GET", "/api/v1/reports/discipline/published/2026-11/1", "SNV_home_affairs").json

    # The directory misspelt an officer's name; the administrator corrects the account.
    directory_services.update_user(uow_factory(), clock, SYSTEM, an, {"full_name": "Nguyễn Văn Ân"})
    fixed = api("POST", "/api/v1/reports/discipline/published/2026-11", "SNV_home_affairs",
                json={"reason": "Đính chính họ tên cán bộ"})
    assert fixed.status_code == 201 and fixed.json["revision"] == 2
    assert api("GET", "/api/v1/reports/discipline/published/2026-11/1", "SNV_home_affairs").json == original
    second = api("GET", "/api/v1/reports/discipline/published/2026-11/2", "SNV_home_affairs").json
    assert second["sections"]["people"]["officers"][0]["full_name"] == "Nguyễn Văn Ân"
    assert original["sections"]["people"]["officers"][0]["full_name"] == "Nguyễn Văn An"
    assert api("GET", "/api/v1/reports/discipline/published/2026-11/3", "SNV_home_affairs").status_code == 404
    # The database itself refuses to edit or delete a published revision.
    for statement in (sa.update(published_reports).values(reason="sửa"), sa.delete(published_reports)):
        with pytest.raises(sa.exc.DatabaseError), uow_factory.engine.begin() as conn:
            conn.execute(statement)
    xlsx = api("GET", "/api/v1/reports/discipline/published/2026-11/2.xlsx", "SNV_home_affairs")
    assert xlsx.status_code == 200 and "ban-2.xlsx" in xlsx.headers["Content-Disposition"]
    mine = api("GET", "/api/v1/reports/discipline/published/2026-11/2", "STC").json
    assert [r["agency"] for r in mine["sections"]["ranking"]["rows"]] == ["STC"]


def test_cli_writes_the_xlsx_the_api_serves(province, uow_factory, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from service.cli import main

    api, _ = province
    monkeypatch.setenv("DUNGHAN_DATABASE_URL", uow_factory.url)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["report", "2026-11", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ranking = {r["Mã"]: r["Điểm"] for r in sheet_rows(load_workbook(out)["Xếp hạng cơ quan"])}
    # The CLI uses the shipped config/scoring.toml; the API here a copy with the same weights.
    served = api("GET", "/api/v1/reports/discipline?month=2026-11", "SNV_home_affairs").json
    api_scores = rows(served, "ranking")
    assert ranking == {c: r["score"] for c, r in api_scores.items()}
    bad = CliRunner().invoke(main, ["report", "2026-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def mine(obj, name, kind, *_) -> bool:
    """Compare the published reports table whole, and the report indexes of tasks and violations."""
    table = name if kind == "table" else obj.table.name
    return table == "published_reports" or (table in ("tasks", "violations") and kind in ("table", "index"))


def test_migrations_0013_and_0013a_match_the_table_definitions(db_url):
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from engine.store.tables import metadata

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": mine})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_each_violation_names_the_person_answerable_and_the_head_at_that_moment(province, uow_factory):
    import sqlalchemy as sa

    from engine.store.tables import violations

    with uow_factory.engine.connect() as conn:
        recorded = conn.execute(sa.select(violations.c.agency_code, violations.c.kind,
                                          violations.c.responsible, violations.c.head_name)).all()
    # An claimed C3 (at SXD) and C4 (at STC): An answers; nobody claimed SNNMT's and STC's C2
    # replies, and STC's agency token (no person) completed C2 late: the head answers.
    assert sorted(recorded) == [
        ("SNNMT", "deemed_consent", "Vũ Thị Nông", "Vũ Thị Nông"),
        ("SNNMT", "overdue", "Vũ Thị Nông", "Vũ Thị Nông"),
        ("STC", "late_completion", "Phạm Thị Tài", "Phạm Thị Tài"),
        ("STC", "overdue", "Nguyễn Văn An", "Phạm Thị Tài"),
        ("STC", "overdue", "Phạm Thị Tài", "Phạm Thị Tài"),
        ("SXD", "overdue", "Nguyễn Văn An", "Hoàng Văn Dựng"),
    ]
    # A new head later does not rewrite who headed the agency when the breach happened.
    with uow_factory() as uow:
        uow.directory.update_agency("SXD", head_name="Trần Văn Mới")
        uow.commit()
    with uow_factory.engine.connect() as conn:
        heads = conn.execute(sa.select(violations.c.head_name).where(violations.c.agency_code == "SXD"))
        assert list(heads.scalars()) == ["Hoàng Văn Dựng"]
