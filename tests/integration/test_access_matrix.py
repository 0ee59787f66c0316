"""Every role × every endpoint × own/other agency: the status, and that nothing leaks.

The expected statuses are written out here by hand from the roles table in the README, not
computed from engine.policy, so a change to the policy has to change this table too.
"""

from datetime import UTC, datetime

import pytest

from engine import directory
from engine.identity import Role
from tests import flows

# Who asks. The resource belongs to SXD (a consulted agency) in a consultation led by STP.
PEOPLE = {
    "officer_own": ("SXD", ["officer"]),
    "officer_other": ("STC", ["officer"]),
    "head_own": ("SXD", ["head"]),
    "head_other": ("STC", ["head"]),
    "deputy_own": ("SXD", ["deputy"]),
    "deputy_other": ("STC", ["deputy"]),
    "provincial_office": ("VPUBND", ["provincial_office"]),
    "home_affairs": ("SNV", ["home_affairs"]),
    "designer": ("SKHCN", ["designer"]),
    "admin": ("VPUBND", ["admin"]),
}
EVERYONE = set(PEOPLE)
SXD_WORKERS = {"officer_own", "head_own", "deputy_own"}
READ_ALL = {"provincial_office", "admin"}
WORKERS = {p for p, (_, roles) in PEOPLE.items() if set(roles) & {"officer", "head", "deputy",
                                                                   "provincial_office"}}

# endpoint: (method, path template, body, who gets the success status, success status)
ENDPOINTS = {
    "list_tasks_of_sxd": ("GET", "/api/v1/tasks?agency=SXD", None, SXD_WORKERS | READ_ALL, 200),
    "read_task": ("GET", "/api/v1/tasks/{task}", None, SXD_WORKERS | READ_ALL, 200),
    "explain_deadline": ("GET", "/api/v1/tasks/{task}/deadline", None, SXD_WORKERS | READ_ALL, 200),
    "complete_task": ("POST", "/api/v1/tasks/{task}/complete",
                      {"data": {"position": "agree"}}, SXD_WORKERS, 200),
    "claim_task": ("POST", "/api/v1/tasks/{task}/claim", None, SXD_WORKERS, 200),
    "reassign_task": ("POST", "/api/v1/tasks/{task}/reassign", {"user_id": "{sxd_officer}"},
                      {"head_own"}, 200),
    "pause_task": ("POST", "/api/v1/tasks/{task}/pause", {"reason": "Chờ bổ sung hồ sơ"},
                   SXD_WORKERS, 200),
    "extend_task": ("POST", "/api/v1/tasks/{task}/extend",
                    {"working_days": 2, "reason": "Cần thêm thời gian thẩm định"}, {"head_own"}, 200),
    "read_instance": ("GET", "/api/v1/instances/{instance}", None,
                      SXD_WORKERS | READ_ALL | {"officer_other", "head_other", "deputy_other"}, 200),
    "cancel_instance": ("POST", "/api/v1/instances/{instance}/cancel", {}, {"admin"}, 200),
    "start_instance": ("POST", "/api/v1/instances", {"process_id": "lay_y_kien_phoi_hop"},
                       WORKERS, 201),
    "deploy_process": ("POST", "/api/v1/processes", "BPMN", {"designer", "admin"}, 200),
    "overdue_list": ("GET", "/api/v1/overdue", None, READ_ALL, 200),
    "list_users": ("GET", "/api/v1/users", None, {"admin", "head_own", "head_other"}, 200),
    "create_user": ("POST", "/api/v1/users", {"username": "moi.{who}", "full_name": "Cán bộ mới",
                                              "agency_code": "SXD", "roles": ["officer"]},
                    {"admin"}, 201),
    "save_agency": ("PUT", "/api/v1/agencies/SXD", {"name": "Sở Xây dựng", "kind": "so"},
                    {"admin"}, 200),
    "list_tokens_of_sxd": ("GET", "/api/v1/tokens?agency=SXD", None, {"admin", "head_own"}, 200),
    "issue_token_for_sxd": ("POST", "/api/v1/tokens", {"agency_code": "SXD", "roles": ["officer"],
                                                       "label": "hệ thống văn bản"},
                            {"admin", "head_own"}, 201),
    "list_agencies": ("GET", "/api/v1/agencies", None, EVERYONE, 200),
    "list_own_webhooks": ("GET", "/api/v1/webhooks", None, WORKERS | {"admin"}, 200),
    "read_sxd_webhook_deliveries": ("GET", "/api/v1/webhooks/{subscription}/deliveries", None,
                                    SXD_WORKERS | {"admin"}, 200),
}


@pytest.fixture
def app(uow_factory, clock, tokens):
    """Use the shared app, but let SXD subscribe a loopback webhook for the matrix."""
    from service.app import create_app
    from tests.conftest import PROCESSES

    return create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                       "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"})


@pytest.fixture
def people(uow_factory, clock) -> dict:
    """Create one user per person, with a token bound to that user."""
    found = {}
    for who, (agency, roles) in PEOPLE.items():
        user_id = directory.seed_user(uow_factory(), clock, f"u.{who}", who, agency, roles, None)
        token = directory.issue_token(uow_factory(), clock, agency, [Role(r) for r in roles], who,
                                      user_id=user_id)
        found[who] = {"token": token, "user_id": user_id, "agency": agency}
    return found


def call(client, person, method, path, body=None):
    headers = {"Authorization": f"Bearer {person['token']}"}
    if body == "BPMN":
        with open("processes/lay_y_kien_phoi_hop.bpmn", "rb") as f:
            return client.open(path, method=method, data=f.read(),
                               headers={**headers, "Content-Type": "application/xml"})
    return client.open(path, method=method, headers=headers, json=body)


def fill(value, names: dict):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    return value


MUTATING = {"complete_task", "claim_task", "reassign_task", "pause_task", "extend_task",
            "cancel_instance", "create_user"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_access_matrix(app, api, people, endpoint):
    """Ask as every person; a mutating call gets a fresh consultation each time."""
    method, path, body, allowed, success = ENDPOINTS[endpoint]
    client, wrong = app.test_client(), []
    subscription = api("POST", "/api/v1/webhooks", "SXD", json={
        "url": "http://127.0.0.1:9/hook", "event_types": []}).json["id"]
    instance_id = task = None
    for who in PEOPLE:
        if task is None or endpoint in MUTATING:
            instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
            task = flows.open_task(api, "SXD", instance_id)
        names = {"task": task["id"], "instance": instance_id, "who": who.replace("_", ""),
                 "sxd_officer": people["officer_own"]["user_id"], "subscription": subscription}
        response = call(client, people[who], method, fill(path, names), fill(body, names))
        expected = success if who in allowed else 403
        if response.status_code != expected:
            wrong.append((who, response.status_code, expected, response.json))
        elif expected == 403:
            assert response.headers["Content-Type"] == "application/problem+json"
            echoed = {k: v for k, v in response.json.items() if k != "instance"}  # the caller's URL
            assert task["id"] not in str(echoed) and "SXD" not in str(echoed)
    assert wrong == [], f"{endpoint}: (who, got, expected, body)"


@pytest.mark.parametrize("who", PEOPLE)
def test_lists_counts_and_views_never_leak_another_agencys_work(app, api, people, who):
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    client, person = app.test_client(), people[who]
    page = call(client, person, "GET", "/api/v1/tasks?state=open&per_page=200").json
    agencies = {t["agency"] for t in page["items"]}
    if who in READ_ALL:
        assert agencies == {"SXD", "STC"} and page["total"] == 2
    else:
        assert agencies <= {person["agency"]}
        assert page["total"] == len(page["items"])  # the count leaks nothing either
    view = call(client, person, "GET", f"/api/v1/instances/{instance_id}")
    if view.status_code == 200 and who not in READ_ALL:
        assert view.json["variables"] == {}
        assert {t["agency"] for t in view.json["open_tasks"]} <= {person["agency"]}
        others = {t["task_id"] for t in view.json["history"] if t["task_id"]}
        own_tasks = {t["id"] for t in page["items"]}
        assert others <= own_tasks


def test_a_user_who_joins_an_agency_sees_its_open_tasks_at_once(app, api, people, uow_factory):
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    client, mover = app.test_client(), people["officer_other"]
    assert call(client, mover, "GET", "/api/v1/tasks?state=open").json["total"] == 1  # STC's
    moved = call(client, people["admin"], "PATCH", f"/api/v1/users/{mover['user_id']}",
                 {"agency_code": "SXD"})
    assert moved.status_code == 200
    # The token was issued for STC, but membership is read on each request.
    page = call(client, mover, "GET", "/api/v1/tasks?state=open").json
    assert {t["agency"] for t in page["items"]} == {"SXD"}


def test_claimed_task_is_completed_only_by_its_claimer_or_a_head(app, api, people):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    client = app.test_client()
    claimed = call(client, people["deputy_own"], "POST", f"/api/v1/tasks/{task['id']}/claim")
    assert claimed.json["claimed_by"] == people["deputy_own"]["user_id"]
    again = call(client, people["officer_own"], "POST", f"/api/v1/tasks/{task['id']}/claim")
    assert again.status_code == 409
    reply = {"data": {"position": "agree"}}
    path = f"/api/v1/tasks/{task['id']}/complete"
    assert call(client, people["officer_own"], "POST", path, reply).status_code == 403
    reassigned = call(client, people["head_own"], "POST", f"/api/v1/tasks/{task['id']}/reassign",
                      {"user_id": people["officer_own"]["user_id"]})
    assert reassigned.json["claimed_by"] == people["officer_own"]["user_id"]
    assert call(client, people["officer_own"], "POST", path, reply).status_code == 200
    history = api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]
    assert [h["type"] for h in history if h["task_id"] == task["id"]] == [
        "task.assigned", "task.claimed", "task.reassigned", "task.completed"]


def test_reassigning_to_someone_outside_the_agency_is_refused(app, api, people):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    response = call(app.test_client(), people["head_own"], "POST",
                    f"/api/v1/tasks/{task['id']}/reassign", {"user_id": people["officer_other"]["user_id"]})
    assert response.status_code == 422


def test_delegation_makes_the_deputy_act_as_head_only_during_its_period(app, api, people, clock):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    client = app.test_client()
    extend = {"working_days": 2, "reason": "Lãnh đạo đi công tác, cấp phó duyệt thay"}
    path = f"/api/v1/tasks/{task['id']}/extend"
    created = call(client, people["head_own"], "POST", "/api/v1/delegations", {
        "to_user_id": people["deputy_own"]["user_id"], "reason": "Đi công tác nước ngoài",
        "starts_at": "2026-02-13T08:00:00+07:00", "ends_at": "2026-02-24T08:00:00+07:00"})
    assert created.status_code == 201
    assert call(client, people["deputy_own"], "POST", path, extend).status_code == 403  # not yet
    clock.set(datetime(2026, 2, 13, 1, 0, tzinfo=UTC))  # 13/2 08:00: the delegation starts
    extended = call(client, people["deputy_own"], "POST", path, extend)
    assert extended.status_code == 200
    ledger = call(client, people["head_own"], "GET", f"/api/v1/tasks/{task['id']}/deadline").json["ledger"]
    assert "@head:u.head_own" in ledger[0]["approved_by"]  # the borrowed authority is recorded
    clock.set(datetime(2026, 2, 24, 1, 0, tzinfo=UTC))  # 24/2 08:00: it has ended
    assert call(client, people["deputy_own"], "POST", f"/api/v1/tasks/{task['id']}/reassign",
                {"user_id": people["officer_own"]["user_id"]}).status_code == 403
