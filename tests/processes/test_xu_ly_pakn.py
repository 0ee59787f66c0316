"""Every path of citizen feedback (xu_ly_pakn) on a frozen clock, over HTTP.

The clock starts at 09:00 Thursday 12/02/2026 (Vietnam time); Tết is off from 14/02 to 22/02.
Limits are counted by hand with the day count: the day of receipt is not counted, day 1 is
the first working day after it, and the step is due at 17:00 of day N (UTC = Vietnam - 7 h).
Working days after Thu 12/02: Fri 13/02 (1), Mon 23/02 (2), 24 (3), 25 (4), 26 (5), 27 (6),
Mon 02/03 (7), 03 (8), 04 (9), 05 (10), 06 (11), Mon 09/03 (12), 10 (13), 11 (14), 12/03 (15).
"""

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from engine.store.jobs import jobs
from engine.store.tables import audit_events, outbox, violations

VN = timezone(timedelta(hours=7))
FEEDBACK = {
    "title": "Đèn đường hỏng tại ngõ 12 phố Nguyễn Văn Cừ",
    "content": "Đèn đường tại ngõ 12 phố Nguyễn Văn Cừ hỏng đã hai tuần, đi lại buổi tối nguy hiểm.",
    "feedback_kind": "ha_tang_moi_truong", "channel": "in_person",
    "sender_name": "Nguyễn Thị Dân", "sender_email": "dan@example.vn", "sender_phone": "0912345678",
}


def vn(day, month, hour, minute=0) -> str:
    return datetime(2026, month, day, hour, minute, tzinfo=VN).astimezone(UTC).isoformat()


def enter(api, agency: str, **changes) -> str:
    """An officer enters a feedback item by starting the process; return the item's id."""
    variables = {**FEEDBACK, "agency": agency, **changes}
    created = api("POST", "/api/v1/instances", agency,
                  json={"process_id": "xu_ly_pakn", "variables": variables})
    assert created.status_code == 201, created.json
    return created.json["id"]


def item(api, as_: str, feedback_id: str) -> dict:
    got = api("GET", f"/api/v1/feedback/{feedback_id}", as_)
    assert got.status_code == 200, got.json
    return got.json


def step(api, as_: str, feedback_id: str, bpmn_id: str, data: dict, status: int = 200):
    """Complete the item's open step ``bpmn_id`` as ``as_``; return the response."""
    view = item(api, as_, feedback_id)
    [task] = [t for t in view["open_tasks"] if t["bpmn_id"] == bpmn_id]
    done = api("POST", f"/api/v1/tasks/{task['id']}/complete", as_, json={"data": data})
    assert done.status_code == status, done.json
    return done


def sender_mails(uow_factory, feedback_id: str) -> list[dict]:
    with uow_factory.engine.connect() as conn:
        rows = conn.execute(sa.select(jobs.c.payload).where(jobs.c.kind == "sender_mail")
                            .order_by(jobs.c.id)).scalars().all()
    return [p for p in rows if p["instance_id"] == feedback_id]


def audit(uow_factory, feedback_id: str, kind: str) -> list[dict]:
    with uow_factory.engine.connect() as conn:
        return list(conn.execute(sa.select(audit_events.c.detail).where(
            audit_events.c.instance_id == feedback_id, audit_events.c.type == kind)
            .order_by(audit_events.c.id)).scalars())


def test_feedback_refused_within_two_working_days_tells_the_sender_why(api, uow_factory):
    k = "UBND_KINHBAC"
    feedback_id = enter(api, k)
    view = item(api, k, feedback_id)
    assert (view["state"], view["agency"], view["received_by"]) == ("received", k, k)
    # Received Thu 12/02; 2 working days: Fri 13/02 (1), Tết, Mon 23/02 (2) -> 17:00 23/02.
    assert view["due_at"] == vn(23, 2, 17)
    reasons = "Nội dung đã được trả lời tại văn bản số 12/UBND ngày 05/01/2026"
    step(api, k, feedback_id, "review", {"decision": "refuse", "reasons": reasons})
    view = item(api, k, feedback_id)
    assert (view["state"], view["state_label"]) == ("refused", "Từ chối tiếp nhận")
    assert view["closed_at"] is not None and view["open_tasks"] == []
    [mail] = sender_mails(uow_factory, feedback_id)
    assert (mail["what"], mail["to"]) == ("refused", "dan@example.vn")
    assert "văn bản số 12/UBND" in mail["reasons"]
    changes = audit(uow_factory, feedback_id, "feedback.state_changed")
    assert [(a["from_state"], a["to_state"]) for a in changes] == [("received", "refused")]


def test_a_refusal_without_reasons_is_refused_by_the_form(api):
    feedback_id = enter(api, "UBND_KINHBAC")
    done = step(api, "UBND_KINHBAC", feedback_id, "review", {"decision": "refuse"}, status=422)
    assert "Lý do" in str(done.json)


def test_supplement_requested_then_given_reopens_the_review(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    feedback_id = enter(api, k)
    step(api, k, feedback_id, "review", {"decision": "supplement",
                                         "reasons": "Đề nghị nêu rõ vị trí cột đèn bị hỏng"})
    view = item(api, k, feedback_id)
    assert view["state"] == "supplement_requested"
    # Asked Thu 12/02; 5 working days: 13/02, 23, 24, 25, 26/02 -> 17:00 Thu 26/02.
    assert view["due_at"] == vn(26, 2, 17)
    assert [m["what"] for m in sender_mails(uow_factory, feedback_id)] == ["supplement_requested"]
    clock.set(datetime(2026, 2, 24, 2, 0, tzinfo=UTC))  # 09:00 Tue 24/02
    step(api, k, feedback_id, "await_supplement", {"supplemented": True,
                                                   "supplement": "Cột đèn số 7, trước nhà số 12"})
    view = item(api, k, feedback_id)
    # The review starts again from the supplement: Wed 25/02 (1), Thu 26/02 (2) -> 17:00 26/02.
    assert (view["state"], view["due_at"]) == ("received", vn(26, 2, 17))
    states = [a["to_state"] for a in audit(uow_factory, feedback_id, "feedback.state_changed")]
    assert states == ["supplement_requested", "received"]


def test_no_supplement_within_five_working_days_stops_the_feedback(api, uow_factory):
    k = "UBND_KINHBAC"
    feedback_id = enter(api, k)
    step(api, k, feedback_id, "review", {"decision": "supplement", "reasons": "Thiếu địa chỉ cụ thể"})
    step(api, k, feedback_id, "await_supplement", {"supplemented": False})
    view = item(api, k, feedback_id)
    assert (view["state"], view["open_tasks"]) == ("not_supplemented", [])
    assert [m["what"] for m in sender_mails(uow_factory, feedback_id)] == [
        "supplement_requested", "not_supplemented"]


def test_feedback_handled_on_time_within_its_kinds_limit_and_published(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    # hanh_vi_hanh_chinh takes 10 working days in config/feedback.toml.
    feedback_id = enter(api, k, feedback_kind="hanh_vi_hanh_chinh")
    step(api, k, feedback_id, "review", {"decision": "accept"})
    view = item(api, k, feedback_id)
    # Accepted Thu 12/02; 10 working days: 13/02 (1) ... Thu 05/03 (10) -> 17:00 05/03.
    assert (view["state"], view["due_at"]) == ("handling", vn(5, 3, 17))
    clock.set(datetime(2026, 3, 5, 9, 59, tzinfo=UTC))  # 16:59 Thu 05/03, a minute to spare
    step(api, k, feedback_id, "handle", {"outcome": "answered",
                                         "answer": "Đã thay bóng đèn cột số 7 ngày 04/03/2026."})
    view = item(api, k, feedback_id)
    # Publish within 2 working days: Fri 06/03 (1), Mon 09/03 (2) -> 17:00 09/03.
    assert (view["state"], view["due_at"]) == ("answered", vn(9, 3, 17))
    step(api, k, feedback_id, "publish", {"published_at": "2026-03-06",
                                          "published_where": "Cổng thông tin điện tử phường Kinh Bắc"})
    view = item(api, k, feedback_id)
    assert view["state"] == "published" and view["violations"] == []
    assert [s["timeliness"] for s in view["steps"]] == ["on_time", "on_time", "on_time"]
    published = sender_mails(uow_factory, feedback_id)[-1]
    assert published["what"] == "published" and "thay bóng đèn" in published["answer"]


def test_feedback_handled_late_is_a_violation_and_on_the_overdue_list(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    feedback_id = enter(api, k)  # ha_tang_moi_truong: 15 working days
    step(api, k, feedback_id, "review", {"decision": "accept"})
    # Accepted Thu 12/02; 15 working days end Thu 12/03 -> due 17:00 12/03 = 10:00 UTC.
    assert item(api, k, feedback_id)["due_at"] == vn(12, 3, 17)
    clock.set(datetime(2026, 3, 12, 10, 1, tzinfo=UTC))  # 17:01 Thu 12/03
    view = item(api, "VPUBND", feedback_id)
    assert view["overdue"] is True
    listed = api("GET", "/api/v1/feedback?overdue=true", "VPUBND").json
    assert [i["id"] for i in listed["items"]] == [feedback_id]
    assert api("GET", "/api/v1/feedback?overdue=false", "VPUBND").json["total"] == 0
    overdue = api("GET", "/api/v1/overdue", "VPUBND").json
    [late] = [o for o in overdue if o["instance_id"] == feedback_id]
    assert (late["agency"], late["bpmn_id"]) == (k, "handle")
    step(api, k, feedback_id, "handle", {"outcome": "answered",
                                         "answer": "Đã sửa đèn đường ngõ 12 ngày 12/03/2026."})
    view = item(api, k, feedback_id)
    assert [(v["agency"], v["kind"]) for v in view["violations"]] == [(k, "late_completion")]
    assert [s["timeliness"] for s in view["steps"]][:2] == ["on_time", "late"]
    with uow_factory.engine.connect() as conn:
        kinds = conn.execute(sa.select(violations.c.kind).where(
            violations.c.instance_id == feedback_id)).scalars().all()
    assert kinds == ["late_completion"]


def test_beyond_a_communes_authority_it_goes_up_recorded_and_the_sender_told(api, uow_factory):
    k = "UBND_KINHBAC"
    feedback_id = enter(api, k)
    reasons = "Tuyến đường do Sở Xây dựng quản lý theo phân cấp của tỉnh"
    step(api, k, feedback_id, "review", {"decision": "transfer", "transfer_to": "SXD",
                                         "reasons": reasons})
    view = item(api, "SXD", feedback_id)
    assert (view["agency"], view["received_by"], view["state"]) == ("SXD", k, "received")
    # The department's review has its own 2 working days from the transfer: 13/02, 23/02.
    assert view["due_at"] == vn(23, 2, 17)
    transfers = [(t["from_agency"], t["to_agency"], t["reasons"]) for t in view["transfers"]]
    assert transfers == [(k, "SXD", reasons)]
    [task] = view["open_tasks"]
    assert (task["agency"], task["bpmn_id"]) == ("SXD", "review")
    [mail] = sender_mails(uow_factory, feedback_id)
    assert (mail["what"], mail["agency_name"], mail["to_agency_name"]) == (
        "transferred", "Ủy ban nhân dân phường Kinh Bắc", "Sở Xây dựng")
    with uow_factory.engine.connect() as conn:
        sent = conn.execute(sa.select(outbox.c.payload)
                            .where(outbox.c.type == "feedback.transferred")).scalars().all()
    assert [(p["from_agency"], p["to_agency"]) for p in sent] == [(k, "SXD")]
    # The department finds, while handling, that only the provincial People's Committee can decide.
    step(api, "SXD", feedback_id, "review", {"decision": "accept"})
    step(api, "SXD", feedback_id, "handle", {"outcome": "transfer", "transfer_to": "VPUBND",
                                             "reasons": "Cần UBND tỉnh quyết định bố trí vốn sửa chữa"})
    view = item(api, "VPUBND", feedback_id)
    assert [t["to_agency"] for t in view["transfers"]] == ["SXD", "VPUBND"]
    assert view["agency"] == "VPUBND" and view["transfer_count"] == 2
    assert [m["what"] for m in sender_mails(uow_factory, feedback_id)] == ["transferred", "transferred"]


def test_a_sideways_or_downward_transfer_is_refused_by_the_form(api):
    feedback_id = enter(api, "UBND_KINHBAC")
    reasons = {"decision": "transfer", "reasons": "Không thuộc địa bàn phường"}
    sideways = step(api, "UBND_KINHBAC", feedback_id, "review",
                    {**reasons, "transfer_to": "UBND_TIENDU"}, 422)
    assert "Không được chuyển ngang sang cơ quan cùng cấp (cấp xã)" in sideways.json["errors"]["transfer_to"]
    step(api, "UBND_KINHBAC", feedback_id, "review", {**reasons, "transfer_to": "SXD"})
    sideways = step(api, "SXD", feedback_id, "review", {**reasons, "transfer_to": "STC"}, 422)
    assert "cùng cấp (sở, ngành tỉnh)" in sideways.json["errors"]["transfer_to"]
    down = step(api, "SXD", feedback_id, "review", {**reasons, "transfer_to": "UBND_TIENDU"}, 422)
    assert "Không được chuyển xuống cơ quan cấp dưới" in down.json["errors"]["transfer_to"]
    view = item(api, "SXD", feedback_id)
    assert (view["agency"], view["transfer_count"]) == ("SXD", 1)  # nothing half-written


def test_the_worker_emails_the_sender_of_a_transfer_in_vietnamese(uow_factory, clock, tokens, tmp_path):
    from email import message_from_bytes, policy

    from engine import services
    from engine.worker import Worker
    from notifications import handlers as notification_handlers
    from notifications.mailers import DirectoryMailer
    from service.app import create_app
    from tests.conftest import PROCESSES, Api

    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "MAILER": DirectoryMailer(tmp_path, "Đúng hạn <khong-tra-loi@dunghan.test>")})
    api = Api(app.test_client(), tokens)
    feedback_id = enter(api, "UBND_KINHBAC")
    step(api, "UBND_KINHBAC", feedback_id, "review", {
        "decision": "transfer", "transfer_to": "SXD", "reasons": "Tuyến đường do Sở Xây dựng quản lý"})
    rt = app.extensions["dunghan"]
    handlers = {**services.handlers(rt.rules),
                **notification_handlers.handlers(uow_factory, app.extensions["notifications"])}
    while Worker(uow_factory, clock, handlers).run_once():
        pass
    [sent] = list(tmp_path.glob("*.eml"))
    mail = message_from_bytes(sent.read_bytes(), policy=policy.default)
    assert mail["To"] == "Nguyễn Thị Dân <dan@example.vn>"
    assert "đã được chuyển lên cơ quan có thẩm quyền" in mail["Subject"]
    text = mail.get_content()
    assert "vượt thẩm quyền của Ủy ban nhân dân phường Kinh Bắc" in text
    assert "chuyển lên Sở Xây dựng" in text and "Tuyến đường do Sở Xây dựng quản lý" in text
