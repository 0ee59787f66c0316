"""Feedback over the API: intake from the portals (idempotent), the list and who may read it."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from engine.store.tables import feedback, instances

INTAKE = {
    "source_system": "cong_dvcqg", "source_id": "PAKN-2026-000123", "agency": "SXD",
    "title": "Công trình xây dựng lấn chiếm vỉa hè đường Lý Thái Tổ",
    "content": "Công trình tại số 45 đường Lý Thái Tổ để vật liệu chiếm toàn bộ vỉa hè đã một tháng.",
    "kind": "ha_tang_moi_truong", "channel": "national_portal",
    "sender": {"name": "Trần Văn Phản", "email": "phan@example.vn"},
    "attachments": ["anh-via-he.jpg"],
}


def post(api, as_="VPUBND", **changes):
    return api("POST", "/api/v1/feedback", as_, json={**INTAKE, **changes})


def counts(uow_factory) -> tuple[int, int]:
    with uow_factory.engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.count()).select_from(feedback)).scalar_one(),
                conn.execute(sa.select(sa.func.count()).select_from(instances)).scalar_one())


def test_intake_starts_the_process_at_the_addressed_agency(api, uow_factory):
    created = post(api)
    assert created.status_code == 201, created.json
    view = created.json
    assert (view["agency"], view["received_by"], view["state"], view["channel"]) == (
        "SXD", "VPUBND", "received", "national_portal")
    assert (view["source_system"], view["source_id"]) == ("cong_dvcqg", "PAKN-2026-000123")
    [task] = view["open_tasks"]
    assert (task["agency"], task["bpmn_id"]) == ("SXD", "review")
    shown = api("GET", f"/api/v1/tasks/{task['id']}", "SXD").json["data"]
    assert shown["content"] == INTAKE["content"] and shown["attachments"] == ["anh-via-he.jpg"]


def test_a_retried_intake_returns_the_first_item_and_adds_nothing(api, uow_factory):
    first = post(api)
    again = post(api)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert counts(uow_factory) == (1, 1)
    other = post(api, source_id="PAKN-2026-000124")
    assert other.status_code == 201 and other.json["id"] != first.json["id"]
    assert counts(uow_factory) == (2, 2)


def test_the_same_intake_id_with_other_content_is_a_conflict(api, uow_factory):
    post(api)
    changed = post(api, content="Một nội dung hoàn toàn khác của cùng mã phản ánh trên cổng.")
    assert changed.status_code == 409
    assert changed.headers["Content-Type"].startswith("application/problem+json")
    assert "đã được tiếp nhận với nội dung khác" in changed.json["detail"]
    assert counts(uow_factory) == (1, 1)


@pytest.mark.parametrize("body, field", [
    ({**INTAKE, "kind": "khong_co"}, "kind"),
    ({**INTAKE, "agency": "KHONG_CO"}, "agency"),
    ({**INTAKE, "channel": "fax"}, "channel"),
    ({**INTAKE, "sender": {"email": "not-an-address"}}, "sender"),
    ({k: v for k, v in INTAKE.items() if k != "source_id"}, "source_id"),
    ({**INTAKE, "attachments": "one.pdf"}, "attachments"),
])
def test_a_bad_intake_is_a_problem_in_vietnamese_and_stores_nothing(api, uow_factory, body, field):
    refused = api("POST", "/api/v1/feedback", "VPUBND", json=body)
    assert refused.status_code == 422, refused.json
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert field in str(refused.json)
    assert counts(uow_factory) == (0, 0)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"null", b'"text"'])
def test_malformed_json_is_a_problem_not_a_server_error(api, uow_factory, raw):
    refused = api("POST", "/api/v1/feedback", "VPUBND", data=raw,
                  headers={"Content-Type": "application/json"})
    assert refused.status_code in (400, 422), refused.data
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert counts(uow_factory) == (0, 0)


def test_intake_needs_a_token(api):
    assert post(api, as_=None).status_code == 401


def test_an_agency_reads_only_its_own_feedback_and_the_provincial_office_all(api, uow_factory):
    to_sxd = post(api).json["id"]
    to_stc = post(api, source_id="PAKN-2026-000200", agency="STC").json["id"]
    listed = api("GET", "/api/v1/feedback", "SXD").json
    assert [i["id"] for i in listed["items"]] == [to_sxd] and listed["total"] == 1
    assert api("GET", f"/api/v1/feedback/{to_stc}", "SXD").status_code == 403
    assert api("GET", "/api/v1/feedback?agency=STC", "SXD").status_code == 403
    everything = api("GET", "/api/v1/feedback", "VPUBND").json
    assert {i["id"] for i in everything["items"]} == {to_sxd, to_stc}
    assert [i["id"] for i in api("GET", "/api/v1/feedback?agency=STC", "VPUBND").json["items"]] == [to_stc]
    assert api("GET", "/api/v1/feedback/not-an-id", "VPUBND").status_code == 404


def test_the_list_filters_by_state_channel_and_receipt_period(api, clock):
    first = post(api).json["id"]
    clock.set(datetime(2026, 2, 13, 2, 0, tzinfo=UTC))  # 09:00 Fri 13/02
    second = post(api, source_id="PAKN-2026-000300", channel="provincial_portal",
                  source_system="pakn_tinh").json["id"]
    page = api("GET", "/api/v1/feedback?channel=provincial_portal", "VPUBND").json
    assert [i["id"] for i in page["items"]] == [second]
    page = api("GET", "/api/v1/feedback?received_from=2026-02-12T00:00&received_to=2026-02-13T00:00",
               "VPUBND").json
    assert [i["id"] for i in page["items"]] == [first]
    page = api("GET", "/api/v1/feedback?state=received&per_page=1&page=2", "VPUBND").json
    assert (page["total"], [i["id"] for i in page["items"]]) == (2, [first])
    assert api("GET", "/api/v1/feedback?state=published", "VPUBND").json["total"] == 0
    assert api("GET", "/api/v1/feedback?state=nonsense", "VPUBND").status_code == 422


def test_intakes_retried_at_the_same_moment_make_one_item(app, tokens, uow_factory):
    import threading

    from tests.conftest import Api

    answers, start = [], threading.Barrier(4)

    def retry():
        client = Api(app.test_client(), tokens)
        start.wait()
        answers.append(post(client).status_code)

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 200, 200, 201]
    assert counts(uow_factory) == (1, 1)


def test_a_sender_without_an_address_hears_through_the_intake_systems_webhook(api, uow_factory):
    from engine.store.jobs import jobs
    from engine.store.tables import outbox

    created = post(api, sender={"name": "Lê Văn Không Thư", "phone": "0912 345 678"}).json
    [task] = created["open_tasks"]
    done = api("POST", f"/api/v1/tasks/{task['id']}/complete", "SXD",
               json={"data": {"decision": "refuse", "reasons": "Không thuộc phạm vi phản ánh hành chính"}})
    assert done.status_code == 200, done.json
    with uow_factory.engine.connect() as conn:
        mails = conn.execute(sa.select(sa.func.count()).select_from(jobs)
                             .where(jobs.c.kind == "sender_mail")).scalar_one()
        told = conn.execute(sa.select(outbox.c.payload).where(outbox.c.type == "feedback.state_changed")
                            ).scalars().all()
    assert mails == 0
    assert [(p["to_state"], p["link_path"]) for p in told] == [
        ("refused", f"/api/v1/feedback/{created['id']}")]
