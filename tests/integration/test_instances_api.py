"""Starting, reading and cancelling instances, with agencies kept to their own part."""

import pytest

from tests import flows


def test_start_returns_201_with_the_first_task_for_the_lead(api):
    response = api("POST", "/api/v1/instances", "STP", json={"process_id": "lay_y_kien_phoi_hop"})
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "running" and body["lead_agency"] == "STP"
    assert [(t["bpmn_id"], t["agency"]) for t in body["open_tasks"]] == [("draft_request", "STP")]
    assert [h["type"] for h in body["history"]] == ["instance.started", "task.assigned"]


@pytest.mark.parametrize(("body", "status"), [
    ({"process_id": "khong_co"}, 404),
    ({"process_id": "lay_y_kien_phoi_hop", "variables": {"lead_agency": "SXD"}}, 422),
    ({"process_id": "lay_y_kien_phoi_hop", "variables": {"__class__": 1}}, 422),
    ({"variables": {}}, 422),
], ids=["unknown-process", "reserved-variable", "dunder-variable", "missing-process"])
def test_bad_start_requests_are_refused(api, body, status):
    assert api("POST", "/api/v1/instances", "STP", json=body).status_code == status


def test_home_affairs_cannot_start_instances(api):
    response = api("POST", "/api/v1/instances", "SNV_home_affairs",
                   json={"process_id": "lay_y_kien_phoi_hop"})
    assert response.status_code == 403


def test_consulted_agency_sees_only_its_own_part(api):
    instance_id, _ = flows.start(api)
    view = api("GET", f"/api/v1/instances/{instance_id}", "SXD").json
    assert view["variables"] == {}
    assert {t["agency"] for t in view["open_tasks"]} == {"SXD"}
    assert api("GET", f"/api/v1/instances/{instance_id}", "SYT").status_code == 403
    assert api("GET", f"/api/v1/instances/{instance_id}", "VPUBND").json["variables"]["title"]


def test_lead_cancels_and_open_tasks_are_withdrawn(api):
    instance_id, _ = flows.start(api)
    assert api("POST", f"/api/v1/instances/{instance_id}/cancel", "SXD", json={}).status_code == 403
    response = api("POST", f"/api/v1/instances/{instance_id}/cancel", "STP",
                   json={"reason": "Dự thảo được rút lại"})
    assert response.status_code == 200
    assert response.json["status"] == "cancelled" and response.json["open_tasks"] == []
    assert api("GET", "/api/v1/tasks?state=withdrawn", "SXD").json["total"] == 1
    again = api("POST", f"/api/v1/instances/{instance_id}/cancel", "STP", json={})
    assert again.status_code == 409


def test_unknown_instance_is_404(api):
    assert api("GET", "/api/v1/instances/khong-co", "STP").status_code == 404
