"""Agencies list and complete only their own tasks; every refusal is problem details."""

import pytest
import sqlalchemy as sa

from engine.store.tables import audit_events, instances, outbox, tasks
from tests import flows


def counts(uow_factory) -> dict:
    with uow_factory.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in (instances, tasks, audit_events, outbox)}


def test_agency_lists_only_its_own_tasks(api):
    flows.start(api)
    flows.start(api, lead="SYT", consulted=("SXD", "SKHCN"))
    page = api("GET", "/api/v1/tasks?state=open", "SXD").json
    assert page["total"] == 2
    assert {t["agency"] for t in page["items"]} == {"SXD"}
    assert api("GET", "/api/v1/tasks?state=open", "SKHCN").json["total"] == 1


def test_listing_another_agency_is_forbidden_but_the_provincial_office_reads_all(api):
    flows.start(api)
    assert api("GET", "/api/v1/tasks?agency=STC", "SXD").status_code == 403
    everything = api("GET", "/api/v1/tasks?state=open", "VPUBND").json
    assert {t["agency"] for t in everything["items"]} == {"SXD", "STC", "SNNMT"}


def test_tasks_are_paginated_with_a_total(api):
    for _ in range(3):
        flows.start(api, consulted=("SXD",))
    first = api("GET", "/api/v1/tasks?state=open&per_page=2&page=1", "SXD").json
    second = api("GET", "/api/v1/tasks?state=open&per_page=2&page=2", "SXD").json
    beyond = api("GET", "/api/v1/tasks?state=open&per_page=2&page=3", "SXD").json
    # Counted (a full page), told by a short last page, and counted again (past the end).
    assert first["total"] == second["total"] == beyond["total"] == 3
    assert beyond["items"] == []
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}


def test_completed_filter_and_state_validation(api):
    instance_id, _ = flows.start(api)
    flows.reply(api, "SXD", instance_id, "agree")
    assert api("GET", "/api/v1/tasks?state=completed", "SXD").json["total"] == 1
    bad = api("GET", "/api/v1/tasks?state=sleeping", "SXD")
    assert bad.status_code == 422 and "state" in bad.json["errors"]["query"]


def test_completing_another_agencys_task_is_forbidden_and_changes_nothing(api, uow_factory):
    instance_id, _ = flows.start(api)
    task = flows.open_task(api, "SXD", instance_id)
    before = counts(uow_factory)
    response = api("POST", f"/api/v1/tasks/{task['id']}/complete", "STC",
                   json={"data": {"position": "agree"}})
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert counts(uow_factory) == before
    assert api("GET", f"/api/v1/tasks/{task['id']}", "STC").status_code == 403


def test_completing_twice_is_a_conflict(api):
    instance_id, _ = flows.start(api)
    task = flows.open_task(api, "SXD", instance_id)
    first = api("POST", f"/api/v1/tasks/{task['id']}/complete", "SXD", json={"data": {"position": "agree"}})
    again = api("POST", f"/api/v1/tasks/{task['id']}/complete", "SXD", json={"data": {"position": "agree"}})
    assert (first.status_code, again.status_code) == (200, 409)


def test_unknown_task_is_not_found(api):
    response = api("POST", "/api/v1/tasks/00000000-0000-0000-0000-000000000000/complete", "SXD",
                   json={"data": {}})
    assert response.status_code == 404
    assert response.json["status"] == 404


@pytest.mark.parametrize(("data", "field"), [
    ({"position": "disagree", "reasons": "Không đồng ý."}, "reasons"),
    ({"position": "agree_with_amendments", "reasons": "Cơ bản nhất trí với dự thảo"}, "reasons"),
    ({"position": "maybe"}, "position"),
    ({"position": "agree", "consulted_agencies": ["SXD"]}, "consulted_agencies"),
], ids=["vague-disagree", "vague-amendments", "bad-position", "overwrite-variable"])
def test_invalid_reply_is_422_in_vietnamese_and_loses_nothing(api, uow_factory, data, field):
    instance_id, _ = flows.start(api)
    task = flows.open_task(api, "SXD", instance_id)
    before = counts(uow_factory)
    response = api("POST", f"/api/v1/tasks/{task['id']}/complete", "SXD", json={"data": data})
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert counts(uow_factory) == before
    assert flows.open_task(api, "SXD", instance_id)["state"] == "open"


@pytest.mark.parametrize(("body", "status"), [
    ("{not json", 400),
    ('{"data": "text"}', 422),
    ('{"data": {}, "extra": 1}', 422),
    ("[]", 422),
], ids=["malformed", "data-not-object", "unknown-field", "array"])
def test_bad_json_is_problem_details(api, body, status):
    instance_id, _ = flows.start(api)
    task = flows.open_task(api, "SXD", instance_id)
    response = api("POST", f"/api/v1/tasks/{task['id']}/complete", "SXD", data=body,
                   headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["title"] and response.json["detail"]


def test_overdue_and_due_before_filters_accept_local_times(api):
    flows.start(api)
    assert api("GET", "/api/v1/tasks?overdue=true", "SXD").json["total"] == 0
    assert api("GET", "/api/v1/tasks?due_before=2026-03-01T00:00:00", "SXD").status_code == 200
    assert api("GET", "/api/v1/tasks?due_before=yesterday", "SXD").status_code == 422
