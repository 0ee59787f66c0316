"""Dossiers over HTTP: the desk receives, agencies work their tasks, the public looks them up.

The clock stands at 09:00 Thursday 12/02/2026 (Vietnam time), the day before the last working
day ahead of Tết (14-22/02). Expected instants are counted by hand in the comments.
"""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from engine.services.deadlines import FINGERPRINT_KEY
from engine.store.tables import audit_events, outbox, settings
from engine.store.uow import UnitOfWorkFactory
from tests.dossier_flows import dossier, receive, statuses, step

PERMIT = "1.009972"  # construction permit, Sở Xây dựng, 20 working days, desk TTPVHCC


def events_of(uow_factory, instance_id: str, kind: str) -> tuple[list, list]:
    with uow_factory.engine.connect() as conn:
        audit = conn.execute(sa.select(audit_events.c.detail).where(
            audit_events.c.instance_id == instance_id, audit_events.c.type == kind)
            .order_by(audit_events.c.id)).scalars().all()
        sent = conn.execute(sa.select(outbox.c.payload).where(outbox.c.type == kind)
                            .order_by(outbox.c.id)).scalars().all()
    return audit, [p for p in sent if p["instance_id"] == instance_id]


def test_a_permit_goes_from_the_desk_to_its_returned_result_on_time(api, clock, uow_factory):
    view = receive(api, "TTPVHCC", PERMIT)
    code = view["code"]
    assert code == "BN-SXD-260212-0001" and view["status"] == 1 and view["received_at"] is None
    view = step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    # Received Thu 12/02 09:00; 20 working days = 160 h: 6.5 h Thu, 8 Fri 13/02, Tết off,
    # 23/02-18/03 is 18 working days (144 h), 1.5 h more from 07:30 Thu 19/03: 09:00.
    assert view["promised_at"] == "2026-03-19T02:00:00+00:00"
    # The hand-over slice is 0.5 day = 4 working hours from 09:00: 09:00-11:30, 13:00-14:30.
    assert view["open_tasks"][0]["due_at"] == "2026-02-12T07:30:00+00:00"
    step(api, "TTPVHCC", code, "hand_over")
    step(api, "SXD_head", code, "assign", {"assignee": "cv.sxd"})
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    step(api, "SXD", code, "appraise", {"outcome": "propose"})
    view = step(api, "SXD_head", code, "sign", {"signed": True})
    assert (view["status"], view["status_label"]) == (9, "Đã xử lý xong")
    assert view["finished_at"] == "2026-03-02T02:00:00+00:00"
    view = step(api, "TTPVHCC", code, "return_result", {"note": "Đã trả giấy phép"})
    assert statuses(view) == [1, 2, 4, 9, 10]
    assert (view["verdict"], view["finished_at"]) == ("on_time", "2026-03-02T02:00:00+00:00")
    audit, sent = events_of(uow_factory, view["instance_id"], "dossier.status_changed")
    assert [(a["from_status"], a["to_status"]) for a in audit] == [
        (None, 1), (1, 2), (2, 4), (4, 9), (9, 10)]
    assert [p["to_status"] for p in sent] == [1, 2, 4, 9, 10]
    assert all(p["code"] == code and p["agency"] == "SXD" for p in sent)


def test_the_desk_refuses_a_dossier_with_reasons(api, uow_factory):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    view = step(api, "TTPVHCC", code, "receive",
                {"decision": "refuse", "reasons": "Công trình không thuộc thẩm quyền cấp tỉnh"})
    assert statuses(view) == [1, 3]
    assert view["finished_at"] == "2026-02-12T02:00:00+00:00" and view["promised_at"] is None
    assert view["verdict"] == "on_time" and view["open_tasks"] == []


def test_the_desk_asks_once_for_a_supplement_before_acceptance(api):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "supplement",
                                           "reasons": "Thiếu bản vẽ mặt bằng móng"})
    view = step(api, "TTPVHCC", code, "complete_before_acceptance", {"note": "Đã nộp bản vẽ"})
    assert view["status"] == 1 and view["supplement_count"] == 0  # not a 766 supplement
    task = view["open_tasks"][0]
    again = api("POST", f"/api/v1/tasks/{task['id']}/complete", "TTPVHCC",
                json={"data": {"decision": "supplement", "reasons": "Lần hai"}})
    assert again.status_code == 422  # once only; the task stays open
    assert dossier(api, "TTPVHCC", code)["open_tasks"][0]["id"] == task["id"]


def test_an_unknown_procedure_code_is_422_and_nothing_is_stored(api, uow_factory):
    refused = api("POST", "/api/v1/dossiers", "TTPVHCC",
                  json={"procedure_code": "9.999999", "applicant": {"name": "Trần B"}})
    assert refused.status_code == 422
    assert "procedure_code" in refused.json["errors"]
    assert api("GET", "/api/v1/dossiers", "VPUBND").json["total"] == 0


def test_only_the_desk_of_a_procedure_receives_it(api):
    assert api("POST", "/api/v1/dossiers", "STP", json={
        "procedure_code": PERMIT, "applicant": {"name": "Trần B"}}).status_code == 403
    # Commune procedures are received by the commune itself.
    view = receive(api, "UBND_KINHBAC", "1.001193")
    assert view["code"] == "BN-UBND_KINHBAC-260212-0001" and view["agency"] == "UBND_KINHBAC"


def test_agencies_see_only_their_dossiers(api):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    receive(api, "UBND_KINHBAC", "1.004873")
    assert api("GET", f"/api/v1/dossiers/{code}", "STP").status_code == 403
    assert api("GET", f"/api/v1/dossiers/{code}", "SXD").status_code == 200
    mine = api("GET", "/api/v1/dossiers", "SXD").json
    assert [d["code"] for d in mine["items"]] == [code]
    assert api("GET", "/api/v1/dossiers?agency=SXD", "STP").status_code == 403
    everyone = api("GET", "/api/v1/dossiers?status=1", "VPUBND").json
    assert everyone["total"] == 2
    assert api("GET", f"/api/v1/dossiers?procedure={PERMIT}&late=false", "VPUBND").json["total"] == 1


def test_withdrawal_and_stop_close_the_dossier_at_any_point(api, uow_factory):
    withdrawn = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", withdrawn, "receive", {"decision": "accept"})
    view = api("POST", f"/api/v1/dossiers/{withdrawn}/withdraw", "TTPVHCC",
               json={"reason": "Công dân có đơn xin rút hồ sơ"}).json
    assert statuses(view) == [1, 2, 7] and view["open_tasks"] == []
    assert view["finished_at"] == "2026-02-12T02:00:00+00:00"
    stopped = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", stopped, "receive", {"decision": "accept"})
    step(api, "TTPVHCC", stopped, "hand_over")
    body = {"reason": "Công trình có tranh chấp, tòa án đang thụ lý"}
    assert api("POST", f"/api/v1/dossiers/{stopped}/stop", "SXD", json=body).status_code == 403
    view = api("POST", f"/api/v1/dossiers/{stopped}/stop", "SXD_head", json=body).json
    assert statuses(view) == [1, 2, 4, 8]
    assert api("POST", f"/api/v1/dossiers/{stopped}/withdraw", "TTPVHCC",
               json=body).status_code == 409


def test_the_public_lookup_shows_status_without_personal_data(api):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    found = api("GET", f"/api/v1/public/dossiers/{code}")
    assert found.status_code == 200
    assert found.json["applicant"] == "N*** V*** A***"
    assert found.json["status_label"] == "Mới đăng ký"
    assert "027090001234" not in found.get_data(as_text=True)
    page = api("GET", f"/tra-cuu?ma={code}")
    assert page.status_code == 200 and "Mới đăng ký" in page.get_data(as_text=True)
    assert "Nguyễn Văn An" not in page.get_data(as_text=True)


def test_unknown_and_malformed_codes_answer_alike(api):
    unknown = api("GET", "/api/v1/public/dossiers/BN-SXD-260212-9999")
    malformed = api("GET", "/api/v1/public/dossiers/' OR 1=1 --")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json["detail"] == malformed.json["detail"]
    assert api("GET", "/tra-cuu?ma=xyz").status_code == 404


def test_the_public_lookup_is_rate_limited(app, api):
    app.extensions.pop("public_lookup_limiter", None)
    app.config["PUBLIC_LOOKUP_LIMIT"] = 3
    answers = [api("GET", f"/api/v1/public/dossiers/BN-SXD-260212-000{i}").status_code
               for i in range(5)]
    assert answers == [404, 404, 404, 429, 429]


@pytest.mark.postgres
def test_dossier_numbers_are_unique_under_concurrency(postgres_migrated):
    factory = UnitOfWorkFactory(postgres_migrated)
    numbers, barrier = [], threading.Barrier(8)

    def take():
        barrier.wait()
        with factory() as uow:
            numbers.append(uow.dossiers.next_number("BN-TEST-260212"))
            uow.commit()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    factory.engine.dispose()
    assert sorted(numbers) == list(range(1, 9))


def test_a_restart_with_a_dossier_waiting_at_the_desk_starts_cleanly(api, uow_factory, clock):
    from service.app import create_app
    from tests.conftest import PROCESSES

    code = receive(api, "TTPVHCC", PERMIT)["code"]  # its receipt task has no deadline
    with uow_factory() as uow:  # as after `make run`'s seeding: no calendar recorded yet
        uow.conn.execute(sa.delete(settings).where(settings.c.key == FINGERPRINT_KEY))
        uow.commit()
    create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                "CALENDAR_FILE": None, "TESTING": True})
    assert dossier(api, "TTPVHCC", code)["status"] == 1


def test_a_dossier_keeps_the_time_limit_it_was_received_under(api, uow_factory, clock, tmp_path):
    from engine.services.dossiers import load_catalog_directory
    from tests.conftest import PROCESSES

    old = receive(api, "UBND_KINHBAC", "1.001612")["code"]  # 3 working days in version 1
    (tmp_path / "1.001612.toml").write_bytes(
        (PROCESSES / "catalog" / "1.001612.toml").read_bytes()
        .replace(b"total_working_days = 3", b"total_working_days = 5")
        .replace(b"working_days = 1.375", b"working_days = 3.375"))
    [changed] = load_catalog_directory(uow_factory(), clock, tmp_path)
    assert (changed["version"], changed["total_working_days"]) == (2, 5.0)
    new = receive(api, "UBND_KINHBAC", "1.001612")["code"]
    promised = {code: step(api, "UBND_KINHBAC", code, "receive", {"decision": "accept"})
                ["promised_at"] for code in (old, new)}
    # From 09:00 Thu 12/02: 3 days = 24 h end 09:00 Tue 24/02 (6.5 h, 8 h Fri, Tết, 8 h Mon,
    # 1.5 h Tue); 5 days = 40 h run two more days: 09:00 Thu 26/02.
    assert promised == {old: "2026-02-24T02:00:00+00:00", new: "2026-02-26T02:00:00+00:00"}
    assert dossier(api, "UBND_KINHBAC", old)["procedure"]["version"] == 1
    assert dossier(api, "UBND_KINHBAC", new)["procedure"]["version"] == 2


def test_the_list_filters_by_receipt_period_in_vietnam_time(api, clock):
    code = receive(api, "TTPVHCC", PERMIT)["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})  # received 09:00 12/02 (VN)

    def listed(query: str) -> list[str]:
        page = api("GET", f"/api/v1/dossiers?{query}", "VPUBND")
        assert page.status_code == 200, page.json
        return [d["code"] for d in page.json["items"]]

    assert listed("received_from=2026-02-12T09:00:00") == [code]
    assert listed("received_from=2026-02-12T09:00:01") == []
    assert listed("received_to=2026-02-12T09:00:00%2B07:00") == []  # the end is exclusive
    assert listed("received_from=2026-02-12T00:00:00&received_to=2026-02-13T00:00:00") == [code]
    assert api("GET", "/api/v1/dossiers?status=11", "VPUBND").status_code == 422
