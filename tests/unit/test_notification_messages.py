"""Digest instants, working days left, and the rendered Vietnamese email, as pure functions."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest

from engine.rules import default_rules
from notifications import messages
from notifications.digest import digest_key, next_digest_at
from notifications.facts import instance_title, local_text, timing_text
from notifications.mailers import DirectoryMailer

CAL = default_rules().calendar  # with the repository's override file: 2/1/2026 off, 10/1/2026 worked
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.mark.parametrize(("after", "hour", "expected"), [
    pytest.param(vn(2026, 2, 12, 9), 8, vn(2026, 2, 13, 8), id="thursday-morning-to-friday"),
    pytest.param(vn(2026, 2, 12, 7, 59), 8, vn(2026, 2, 12, 8), id="before-the-hour-same-day"),
    pytest.param(vn(2026, 2, 12, 8), 8, vn(2026, 2, 13, 8), id="at-the-hour-goes-to-the-next"),
    # Friday 13/2 after 16:00: Tết and its weekends (14–22/2) are skipped; Monday 23/2.
    pytest.param(vn(2026, 2, 13, 16), 16, vn(2026, 2, 23, 16), id="across-tet"),
    # 1/1 holiday, 2/1 swapped off, 3–4/1 weekend: Monday 5/1.
    pytest.param(vn(2025, 12, 31, 12), 7, vn(2026, 1, 5, 7), id="new-year-2026-swap"),
    # Saturday 10/1/2026 is a working day by the swap, so a digest goes out that morning.
    pytest.param(vn(2026, 1, 9, 17), 7, vn(2026, 1, 10, 7), id="working-saturday-10-01"),
])
def test_a_digest_goes_out_at_the_chosen_hour_on_the_next_working_day(after, hour, expected):
    assert next_digest_at(CAL, hour, after.astimezone(UTC)) == expected.astimezone(UTC)


def test_a_digest_is_named_by_its_local_day():
    assert digest_key("u1", vn(2026, 2, 23, 0, 30).astimezone(UTC), CAL) == "digest:u1:2026-02-23"


@pytest.mark.parametrize(("at", "expected"), [
    (vn(2026, 2, 25, 17), "còn 1 ngày làm việc"),           # one working day (8 h) before 26/2 17:00
    (vn(2026, 2, 26, 13), "còn 4 giờ làm việc"),            # 13:00–17:00
    (vn(2026, 2, 13, 17), "còn 4 ngày làm việc"),           # 23, 24, 25, 26/2 after Tết
    (vn(2026, 2, 26, 17), "đã đến hạn, nay là quá hạn"),    # at the due instant
    (vn(2026, 3, 2, 17), "quá hạn 2 ngày làm việc"),        # 27/2 and 2/3
    (vn(2026, 2, 27, 11, 30), "quá hạn 4 giờ làm việc"),    # 07:30–11:30 on 27/2
])
def test_working_days_left_or_late_are_counted_on_the_calendar(at, expected):
    assert timing_text(CAL, vn(2026, 2, 26, 17).astimezone(UTC), at.astimezone(UTC)) == expected


def test_local_time_is_written_with_the_vietnamese_weekday():
    assert local_text(CAL, vn(2026, 3, 1, 8).astimezone(UTC)) == "08:00 Chủ nhật 01/03/2026"


def test_a_dossier_is_named_by_its_code_only_never_by_the_citizen():
    variables = {"dossier_code": "BN-SXD-260212-0001", "title": "Hồ sơ của ông Nguyễn Văn A",
                 "procedure_name": "Cấp giấy phép xây dựng", "applicant": {"name": "Nguyễn Văn A"}}
    assert instance_title(variables, "Giải quyết TTHC") == "Hồ sơ BN-SXD-260212-0001 (Cấp giấy phép xây dựng)"
    assert instance_title({}, "Lấy ý kiến phối hợp") == "Lấy ý kiến phối hợp"
    assert instance_title({"source_number": "125/TB-UBND", "content": "Rà soát quy định"},
                          "Theo dõi nhiệm vụ được giao") == "Nhiệm vụ giao tại văn bản 125/TB-UBND"


FACTS = {
    "kind": "overdue", "task_id": "t1", "task_name": "Trả lời ý kiến", "instance_id": "i1",
    "process_id": "lay_y_kien_phoi_hop", "title": "Dự thảo <b>quy định</b> & phí",
    "lead_agency": "STP", "lead_agency_name": "Sở Tư pháp", "agency": "SXD",
    "agency_name": "Sở Xây dựng", "due_at": "2026-02-26T10:00:00+00:00",
    "due_local": "17:00 Thứ Năm 26/02/2026", "timing": "đã đến hạn, nay là quá hạn",
    "position": None, "link": "https://dunghan.example.vn/?task=t1",
}


def test_an_email_has_a_vietnamese_subject_plain_text_and_escaped_html():
    mail = messages.compose(("Trần Văn Xây", "ld.sxd@example.vn"), "Đúng hạn <no-reply@example.vn>",
                            "<n1@example.vn>", [FACTS], "Thư tự động.", vn(2026, 2, 26, 17))
    assert mail["Subject"] == ("[Đúng hạn] QUÁ HẠN: Trả lời ý kiến – Dự thảo <b>quy định</b> & phí "
                               "(Sở Xây dựng)")
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Kính gửi Trần Văn Xây,\n\nNhiệm vụ «Trả lời ý kiến» của Sở Xây dựng đã QUÁ HẠN")
    assert "Hạn: 17:00 Thứ Năm 26/02/2026 (giờ Việt Nam)" in text
    html = mail.get_body(("html",)).get_content()
    assert "Dự thảo &lt;b&gt;quy định&lt;/b&gt; &amp; phí" in html and "<b>quy định" not in html
    assert mail["X-Dunghan-Kind"] == "overdue" and mail["Auto-Submitted"] == "auto-generated"


def test_the_demo_mailbox_keeps_each_message_once_as_an_eml_file(tmp_path):
    mailer = DirectoryMailer(tmp_path / "outbox-mail", "Đúng hạn <no-reply@example.vn>")
    mail = messages.compose(("A", "a@example.vn"), mailer.sender, "<n1@example.vn>", [FACTS], "x",
                            vn(2026, 2, 26, 17))
    assert mailer.send(mail).ok and mailer.send(mail).ok  # a retry overwrites its own file
    [saved] = (tmp_path / "outbox-mail").iterdir()
    assert saved.name == "n1.eml"
    read = message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert read["Subject"] == mail["Subject"]


def test_a_task_without_a_deadline_says_so_plainly():
    facts = {**FACTS, "kind": "assigned", "due_at": None, "due_local": None, "timing": "không có hạn"}
    subject = messages.subject(facts)
    assert subject == "[Đúng hạn] Nhiệm vụ mới: Trả lời ý kiến – Dự thảo <b>quy định</b> & phí"
    assert "Hạn:" not in messages.text_of(facts)
    with_due = messages.subject({**facts, "due_local": "17:00 Thứ Năm 26/02/2026"})
    assert with_due.endswith("& phí (hạn 17:00 Thứ Năm 26/02/2026)")
