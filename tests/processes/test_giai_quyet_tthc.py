"""Every path of the one-stop dossier and of a chained procedure, on a frozen clock, over HTTP.

Each path asserts the national status sequence, the due instants, the audit rows and the
outbox events. The clock starts at 09:00 Thursday 12/02/2026 (Vietnam time); Tết is off from
14/02 to 22/02; working hours are 07:30-11:30 and 13:00-17:00, so a working day is 8 hours.
Expected instants are counted by hand in the comments (UTC = Vietnam time - 7 h).
"""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from engine import services
from engine.store.tables import audit_events, outbox, violations
from engine.worker import Worker
from tests.dossier_flows import dossier, receive, statuses, step

VN = timezone(timedelta(hours=7))
HOUSEHOLD = "1.001612"  # household business registration, commune level, 3 working days
PERMIT = "1.009972"  # construction permit, Sở Xây dựng, 20 working days
LAND = "1.012757"  # land-use certificate, first issue: chained, 20 working days


def vn(day, month, hour, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def utc_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def journal(uow_factory, instance_id: str, kind: str) -> tuple[list[dict], list[dict]]:
    """Return the audit details and the outbox payloads of one event type for one dossier."""
    with uow_factory.engine.connect() as conn:
        audit = conn.execute(sa.select(audit_events.c.detail).where(
            audit_events.c.instance_id == instance_id, audit_events.c.type == kind)
            .order_by(audit_events.c.id)).scalars().all()
        sent = conn.execute(sa.select(outbox.c.payload).where(outbox.c.type == kind)
                            .order_by(outbox.c.id)).scalars().all()
    return list(audit), [p for p in sent if p["instance_id"] == instance_id]


def journaled(uow_factory, view: dict) -> list[int]:
    """Return the status sequence after checking it is one audit row and one event per change."""
    audit, sent = journal(uow_factory, view["instance_id"], "dossier.status_changed")
    changes = [(a["from_status"], a["to_status"]) for a in audit]
    assert changes == [(p["from_status"], p["to_status"]) for p in sent]
    assert [f for f, _ in changes[1:]] == [t for _, t in changes[:-1]]  # each from the last
    assert [t for _, t in changes] == statuses(view)
    return statuses(view)


def accepted(api, desk: str, procedure: str, **extra) -> str:
    code = receive(api, desk, procedure, **extra)["code"]
    step(api, desk, code, "receive", {"decision": "accept"})
    return code


def to_appraisal(api, clock, desk: str, agency: str, head: str, procedure: str) -> str:
    code = accepted(api, desk, procedure)
    step(api, desk, code, "hand_over")
    step(api, head, code, "assign", {"assignee": f"cv.{agency.lower()}"})
    return code


def finish(api, desk: str, agency: str, head: str, code: str) -> dict:
    step(api, agency, code, "appraise", {"outcome": "propose"})
    step(api, head, code, "sign", {"signed": True})
    return step(api, desk, code, "return_result", {"note": "Đã trả kết quả"})


def test_a_supplement_during_processing_over_tet_moves_the_promise(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    code = to_appraisal(api, clock, k, k, f"{k}_head", HOUSEHOLD)
    view = dossier(api, k, code)
    # Received Thu 12/02 09:00 with 3 days = 24 h: 6.5 h Thu, 8 h Fri 13/02, Tết off, 8 h Mon
    # 23/02, 1.5 h from 07:30 Tue 24/02: promised 09:00 Tue 24/02.
    assert view["promised_at"] == utc_text(vn(24, 2, 9))
    # The appraisal slice is 11 working hours from 09:00 Thu: 6.5 h Thu, 4.5 h Fri -> 13:00 +
    # 0.5 h = Fri 13/02 13:30.
    assert view["open_tasks"][0]["due_at"] == utc_text(vn(13, 2, 13, 30))
    clock.set(vn(12, 2, 10))
    view = step(api, k, code, "appraise", {"outcome": "supplement",
                                           "reasons": "Bổ sung bản sao hợp đồng thuê địa điểm"})
    assert (view["status"], view["paused"], view["supplement_count"]) == (5, True, 1)
    clock.set(vn(24, 2, 14))
    view = step(api, k, code, "receive_supplement", {"note": "Đã nhận hợp đồng thuê"})
    # Paused Thu 12/02 10:00 -> Tue 24/02 14:00: 5.5 h Thu, 8 h Fri, Tết, 8 h Mon 23/02,
    # 5 h Tue (07:30-11:30, 13:00-14:00) = 26.5 working hours.
    assert view["paused_working_hours"] == 26.5
    # 09:00 Tue 24/02 + 26.5 h: 6.5 h Tue, 8 h Wed 25, 8 h Thu 26, 4 h Fri 27 from 07:30: 11:30.
    assert view["promised_at"] == utc_text(vn(27, 2, 11, 30))
    clock.set(vn(27, 2, 10))
    view = finish(api, k, k, f"{k}_head", code)
    assert journaled(uow_factory, view) == [1, 2, 4, 5, 4, 9, 10]
    assert (view["verdict"], view["finished_at"]) == ("on_time", utc_text(vn(27, 2, 10)))
    audit, sent = journal(uow_factory, view["instance_id"], "dossier.status_changed")
    assert [a["to_status"] for a in audit] == [p["to_status"] for p in sent] == statuses(view)
    assert sent[4]["promised_at"] == utc_text(vn(27, 2, 11, 30))  # announced with its new date


def test_fees_pause_the_clock_without_counting_as_a_supplement(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    code = to_appraisal(api, clock, k, k, f"{k}_head", HOUSEHOLD)
    view = step(api, k, code, "appraise", {"outcome": "fees", "amount": 100000})
    assert (view["status"], view["status_label"]) == (6, "Yêu cầu thực hiện nghĩa vụ tài chính")
    clock.set(vn(13, 2, 9))
    view = step(api, k, code, "confirm_fees", {"receipt_number": "BL-000123"})
    # Paused Thu 12/02 09:00 -> Fri 13/02 09:00: 6.5 h + 1.5 h = 8 h; 09:00 Tue 24/02 + 8 h
    # = 09:00 Wed 25/02.
    assert view["promised_at"] == utc_text(vn(25, 2, 9))
    view = finish(api, k, k, f"{k}_head", code)
    assert journaled(uow_factory, view) == [1, 2, 4, 6, 4, 9, 10]
    assert (view["supplement_count"], view["verdict"]) == (0, "on_time")


def test_a_second_supplement_request_makes_the_dossier_late_under_766(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    code = to_appraisal(api, clock, k, k, f"{k}_head", HOUSEHOLD)
    for _ in range(2):
        step(api, k, code, "appraise", {"outcome": "supplement"})
        step(api, k, code, "receive_supplement")
    view = finish(api, k, k, f"{k}_head", code)  # all on Thu 12/02 09:00, well before the promise
    assert journaled(uow_factory, view) == [1, 2, 4, 5, 4, 5, 4, 9, 10]
    assert (view["supplement_count"], view["verdict"]) == (2, "late")
    assert api("GET", "/api/v1/dossiers?late=true", "UBND_KINHBAC").json["total"] == 1


def test_a_permit_consults_other_agencies_with_its_own_slice(api, clock, uow_factory):
    code = to_appraisal(api, clock, "TTPVHCC", "SXD", "SXD_head", PERMIT)
    step(api, "SXD", code, "appraise", {"outcome": "consult",
                                        "consulted_agencies": ["SNNMT", "STC"]})
    reply = [t for t in api("GET", "/api/v1/tasks?state=open", "SNNMT").json["items"]
             if t["instance_id"] == dossier(api, "SXD", code)["instance_id"]][0]
    # The consultation slice is 5 days = 40 h from 09:00 Thu 12/02: 6.5 h Thu, 8 h Fri, Tết,
    # 23-25/02 (24 h), 1.5 h from 07:30 Thu 26/02: 09:00 Thu 26/02.
    assert reply["due_at"] == utc_text(vn(26, 2, 9))
    vague = api("POST", f"/api/v1/tasks/{reply['id']}/complete", "SNNMT",
                json={"data": {"position": "disagree", "reasons": "Không đồng ý"}})
    assert vague.status_code == 422  # the consultation's reply rules apply unchanged
    for agency in ("SNNMT", "STC"):
        task = [t for t in api("GET", "/api/v1/tasks?state=open", agency).json["items"]
                if t["bpmn_id"] == "reply_to_consultation"][0]
        assert api("POST", f"/api/v1/tasks/{task['id']}/complete", agency,
                   json={"data": {"position": "agree", "reasons": ""}}).status_code == 200
    view = dossier(api, "SXD", code)
    assert [t["bpmn_id"] for t in view["open_tasks"]] == ["appraise"] and view["status"] == 4
    view = finish(api, "TTPVHCC", "SXD", "SXD_head", code)
    assert journaled(uow_factory, view) == [1, 2, 4, 9, 10]


def test_one_apology_in_time_then_a_second_is_refused(api, clock, uow_factory):
    k = "UBND_KINHBAC"
    code = to_appraisal(api, clock, k, k, f"{k}_head", HOUSEHOLD)  # promised 09:00 Tue 24/02
    clock.set(vn(23, 2, 9))  # one working day (8 h) before 09:00 Tue 24/02: the last instant
    body = {"new_promised_at": vn(27, 2, 17).isoformat(),
            "reason": "Cần xác minh địa điểm kinh doanh với công an phường"}
    assert api("POST", f"/api/v1/dossiers/{code}/apology", k, json=body).status_code == 403
    view = api("POST", f"/api/v1/dossiers/{code}/apology", f"{k}_head", json=body).json
    assert view["promised_at"] == utc_text(vn(27, 2, 17))
    assert view["original_promised_at"] == utc_text(vn(24, 2, 9))
    again = api("POST", f"/api/v1/dossiers/{code}/apology", f"{k}_head",
                json={**body, "new_promised_at": vn(3, 3, 17).isoformat()})
    assert again.status_code == 409
    audit, sent = journal(uow_factory, view["instance_id"], "dossier.apologised")
    assert len(audit) == len(sent) == 1
    assert sent[0]["new_promised_at"] == utc_text(vn(27, 2, 17))
    # Finished after the first promise: the citizen was told in time, but 766 counts it late.
    clock.set(vn(25, 2, 9))
    assert finish(api, k, k, f"{k}_head", code)["verdict"] == "late"


def test_an_apology_later_than_one_working_day_before_the_promise_is_refused(api, clock):
    k = "UBND_KINHBAC"
    code = to_appraisal(api, clock, k, k, f"{k}_head", HOUSEHOLD)
    clock.set(vn(23, 2, 9, 1))
    late = api("POST", f"/api/v1/dossiers/{code}/apology", f"{k}_head",
               json={"new_promised_at": vn(27, 2, 17).isoformat(), "reason": "Xin hẹn lại"})
    assert late.status_code == 409 and "1 ngày làm việc" in late.json["detail"]


def test_a_dossier_reaching_its_promise_without_an_apology_is_recorded_late(app, api, clock,
                                                                             uow_factory):
    k = "UBND_KINHBAC"
    code = to_appraisal(api, clock, k, k, f"{k}_head", HOUSEHOLD)
    worker = Worker(uow_factory, clock, services.handlers(app.extensions["dunghan"].rules),
                    worker_id="test-worker")
    # The apology's last instant is one working day before 09:00 Tue 24/02: 09:00 Mon 23/02;
    # the reminder comes one working day before that: 1.5 h Mon, 6.5 h back from Fri 13/02
    # 17:00 (13:00-17:00, then 11:30 back to 09:00): 09:00 Fri 13/02.
    clock.set(vn(13, 2, 8, 59))
    worker.run_once()
    instance_id = dossier(api, k, code)["instance_id"]
    assert journal(uow_factory, instance_id, "dossier.apology_reminded") == ([], [])
    clock.set(vn(13, 2, 9))
    worker.run_once()
    audit, sent = journal(uow_factory, instance_id, "dossier.apology_reminded")
    assert len(audit) == 1 and sent[0]["apology_deadline"] == utc_text(vn(23, 2, 9))
    clock.set(vn(24, 2, 8, 59))
    worker.run_once()
    assert dossier(api, k, code)["apology_missing"] is False
    clock.set(vn(24, 2, 9))  # the promised instant
    worker.run_once()
    view = dossier(api, k, code)
    assert (view["apology_missing"], view["verdict"]) == (True, "late")
    assert {"agency": k, "kind": "apology_missing", "responsible": "Ngô Văn Bắc",
            "head_name": "Ngô Văn Bắc"}.items() <= view["violations"][-1].items()
    audit, sent = journal(uow_factory, view["instance_id"], "dossier.apology_missed")
    assert len(audit) == len(sent) == 1
    clock.set(vn(25, 2, 9))
    worker.run_once()  # nothing more to record
    assert len(journal(uow_factory, view["instance_id"], "dossier.apology_missed")[0]) == 1


def test_a_chained_land_certificate_charges_the_late_link_to_the_commune(api, clock, uow_factory):
    code = accepted(api, "TTPVHCC", LAND, locality="UBND_TIENDU")
    view = dossier(api, "TTPVHCC", code)
    # 20 days = 160 h from 09:00 Thu 12/02: 6.5 h + 8 h Fri, Tết, 18 days 23/02-18/03, 1.5 h:
    # 09:00 Thu 19/03.
    assert view["promised_at"] == utc_text(vn(19, 3, 9))
    # The land office's slice, 3 days = 24 h: 6.5 h Thu, 8 h Fri, Tết, 8 h Mon, 1.5 h Tue 24/02.
    [link] = view["open_tasks"]
    assert (link["agency"], link["due_at"]) == ("VPDKDD", utc_text(vn(24, 2, 9)))
    clock.set(vn(23, 2, 9))
    step(api, "VPDKDD", code, "process_link", {"note": "Hồ sơ đủ, chuyển UBND xã"})
    [link] = dossier(api, "VPDKDD", code)["open_tasks"]
    # The commune's slice, 5 days = 40 h from 09:00 Mon 23/02: 6.5 h Mon, 8 h Tue-Fri 24-27/02
    # (32 h), 1.5 h from 07:30 Mon 02/03: 09:00 Mon 02/03.
    assert (link["agency"], link["due_at"]) == ("UBND_TIENDU", utc_text(vn(2, 3, 9)))
    clock.set(vn(3, 3, 9))  # a full working day late
    step(api, "UBND_TIENDU", code, "process_link", {"note": "Xác nhận đất không tranh chấp"})
    view = step(api, "THUE", code, "process_link", {"fees_due": True, "note": "Thông báo thuế"})
    assert view["status"] == 6
    clock.set(vn(4, 3, 9))
    view = step(api, "TTPVHCC", code, "confirm_fees", {"receipt_number": "NT-2026-0042"})
    # Paused 09:00 Tue 03/03 -> 09:00 Wed 04/03 = 8 h: 09:00 Thu 19/03 + 8 h = 09:00 Fri 20/03.
    assert view["promised_at"] == utc_text(vn(20, 3, 9))
    clock.set(vn(5, 3, 9))
    step(api, "VPDKDD", code, "process_link", {"note": "Trình ký Giấy chứng nhận"})
    view = step(api, "TTPVHCC", code, "return_result", {"note": "Đã trao Giấy chứng nhận"})
    assert journaled(uow_factory, view) == [1, 2, 4, 6, 4, 9, 10]
    assert view["verdict"] == "on_time"
    with uow_factory.engine.connect() as conn:
        charged = conn.execute(sa.select(violations.c.agency_code, violations.c.kind).where(
            violations.c.instance_id == view["instance_id"])).all()
    assert charged == [("UBND_TIENDU", "late_completion")]
    sheet = [(s["step"], s["agency"], s["timeliness"]) for s in view["steps"]]
    assert sheet == [
        ("receive", "TTPVHCC", "no_deadline"), ("process_link", "VPDKDD", "on_time"),
        ("process_link", "UBND_TIENDU", "late"), ("process_link", "THUE", "on_time"),
        ("confirm_fees", "TTPVHCC", "no_deadline"), ("process_link", "VPDKDD", "on_time"),
        ("return_result", "TTPVHCC", "no_deadline")]


@pytest.mark.parametrize("where", ["before_acceptance", "in_process", "paused"])
def test_withdrawal_at_any_point_ends_the_dossier(api, clock, where, uow_factory):
    k = "UBND_KINHBAC"
    code = receive(api, k, HOUSEHOLD)["code"]
    if where != "before_acceptance":
        step(api, k, code, "receive", {"decision": "accept"})
        step(api, k, code, "hand_over")
    if where == "paused":
        step(api, f"{k}_head", code, "assign")
        step(api, k, code, "appraise", {"outcome": "supplement"})
    view = api("POST", f"/api/v1/dossiers/{code}/withdraw", k,
               json={"reason": "Công dân nộp đơn rút hồ sơ"}).json
    expected = {"before_acceptance": [1, 7], "in_process": [1, 2, 4, 7],
                "paused": [1, 2, 4, 5, 7]}[where]
    assert journaled(uow_factory, view) == expected and view["open_tasks"] == []
    assert view["paused"] is False and view["finished_at"] is not None


def test_only_the_head_assigns_and_signs_an_officer_is_refused_and_nothing_moves(api, clock):
    k = "UBND_KINHBAC"
    code = accepted(api, k, HOUSEHOLD)
    step(api, k, code, "hand_over")
    for bpmn_id, data in (("assign", {"assignee": "cv.ubnd_kinhbac"}), ("sign", {"signed": True})):
        [task] = [t for t in dossier(api, k, code)["open_tasks"] if t["bpmn_id"] == bpmn_id]
        refused = api("POST", f"/api/v1/tasks/{task['id']}/complete", k, json={"data": data})
        assert refused.status_code == 403, refused.json
        assert "lãnh đạo" in refused.json["detail"]
        assert [t["id"] for t in dossier(api, k, code)["open_tasks"]] == [task["id"]]
        step(api, f"{k}_head", code, bpmn_id, data)
        if bpmn_id == "assign":
            step(api, k, code, "appraise", {"outcome": "propose"})
