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
    "ask_pause": ("POST", "/api/v1/tasks/{task}/deadline-requests",
                  {"kind": "pause", "working_days": 2, "reason": "Chờ cơ quan chủ trì gửi bản đồ"},
                  SXD_WORKERS, 201),
    "ask_more_time": ("POST", "/api/v1/tasks/{task}/deadline-requests",
                      {"kind": "more_time", "working_days": 2, "reason": "Cần thêm thời gian thẩm định"},
                      SXD_WORKERS, 201),
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
    "issue_own_token": ("POST", "/api/v1/tokens", {"agency_code": "{agency}", "label": "tích hợp"},
                        {"admin", "head_own", "head_other"}, 201),
    "issue_sxd_system_token": ("POST", "/api/v1/tokens", {
        "agency_code": "SXD", "roles": ["officer"], "label": "hệ thống văn bản", "system": True},
        {"admin"}, 201),
    "review_every_token": ("GET", "/api/v1/tokens?kind=system", None, {"admin"}, 200),
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


MUTATING = {"complete_task", "claim_task", "reassign_task", "ask_pause", "ask_more_time",
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
                 "agency": people[who]["agency"],
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


def test_a_token_acts_for_the_agency_it_was_issued_for_and_stops_when_its_user_leaves(
        app, api, people):
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    sxd_task = flows.open_task(api, "SXD", instance_id)
    client, mover = app.test_client(), people["officer_other"]
    assert call(client, mover, "GET", "/api/v1/tasks?state=open").json["total"] == 1  # STC's
    moved = call(client, people["admin"], "PATCH", f"/api/v1/users/{mover['user_id']}",
                 {"agency_code": "SXD"})
    assert moved.status_code == 200
    # The token was issued for STC: it neither follows the user to SXD nor keeps STC's work.
    assert call(client, mover, "GET", "/api/v1/tasks?agency=SXD").status_code == 401
    assert call(client, mover, "POST", f"/api/v1/tasks/{sxd_task['id']}/claim").status_code == 401
    assert call(client, mover, "GET", "/api/v1/tasks?state=open").status_code == 401
    # A token the user's new head issues for SXD is what works now.
    back = call(client, people["admin"], "PATCH", f"/api/v1/users/{mover['user_id']}",
                {"agency_code": "STC"})
    assert back.status_code == 200
    assert call(client, mover, "GET", "/api/v1/tasks?state=open").status_code == 200


def issue(client, person, **body):
    response = call(client, person, "POST", "/api/v1/tokens",
                    {"agency_code": person["agency"], "label": "tích hợp", **body})
    assert response.status_code == 201, response.json
    return {**person, "token": response.json["token"], "token_id": response.json["id"],
            "view": response.json}


def test_a_token_issued_under_a_delegation_dies_with_the_delegation(app, api, people, clock):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    client, deputy = app.test_client(), people["deputy_own"]
    created = call(client, people["head_own"], "POST", "/api/v1/delegations", {
        "to_user_id": deputy["user_id"], "reason": "Đi công tác nước ngoài",
        "starts_at": "2026-02-12T08:00:00+07:00", "ends_at": "2026-02-12T09:01:00+07:00"})
    assert created.status_code == 201
    borrowed = issue(client, deputy, roles=["head", "deputy"])  # 09:00, inside the delegation
    assert borrowed["view"]["user_id"] == deputy["user_id"]  # bound to the person who asked
    reassign = {"user_id": people["officer_own"]["user_id"]}
    assert call(client, borrowed, "GET", "/api/v1/users").status_code == 200
    clock.advance(minutes=2)  # 09:02: the delegation has ended
    assert call(client, borrowed, "GET", "/api/v1/users").status_code == 403
    assert call(client, borrowed, "POST", f"/api/v1/tasks/{task['id']}/reassign",
                reassign).status_code == 403
    again = call(client, borrowed, "POST", "/api/v1/tokens",
                 {"agency_code": "SXD", "roles": ["head"], "label": "thêm"})
    assert again.status_code == 403
    # What the deputy holds in their own right still works through the token.
    assert call(client, borrowed, "GET", "/api/v1/tasks?state=open").json["total"] == 1


def test_a_person_may_not_issue_roles_they_do_not_hold(app, people):
    client = app.test_client()
    response = call(client, people["head_own"], "POST", "/api/v1/tokens",
                    {"agency_code": "SXD", "roles": ["officer", "provincial_office"], "label": "x"})
    assert response.status_code == 422
    assert call(client, people["head_own"], "POST", "/api/v1/tokens",
                {"agency_code": "SXD", "roles": ["head"], "label": "x", "system": True}
                ).status_code == 403  # only an admin issues a token that belongs to no one


def test_tokens_of_a_demoted_then_deactivated_head_stop_working(app, people):
    client, admin = app.test_client(), people["admin"]
    head = issue(client, people["head_own"])
    assert head["view"]["roles"] == ["head"]
    path = f"/api/v1/users/{head['user_id']}"
    assert call(client, admin, "PATCH", path, {"roles": ["officer"]}).status_code == 200
    assert call(client, head, "GET", "/api/v1/users").status_code == 401  # no role left to act on
    assert call(client, admin, "PATCH", path, {"roles": ["head"]}).status_code == 200
    assert call(client, head, "GET", "/api/v1/users").status_code == 200
    assert call(client, admin, "PATCH", path, {"active": False}).status_code == 200
    assert call(client, head, "GET", "/api/v1/agencies").status_code == 401


def test_agency_system_tokens_are_issued_by_admins_expire_and_are_listed_for_review(
        app, people, clock):
    client, admin = app.test_client(), people["admin"]
    system = issue(client, admin, agency_code="SXD", roles=["officer"], system=True)
    assert system["view"]["user_id"] is None
    assert system["view"]["expires_at"] == "2027-02-12T02:00:00+00:00"  # one year by default
    assert system["view"]["issued_by"] == "user:u.admin"
    review = call(client, admin, "GET", "/api/v1/tokens?kind=system").json
    assert system["token_id"] in [t["id"] for t in review]
    assert all(t["user_id"] is None and t["expires_at"] for t in review)
    personal = call(client, admin, "GET", "/api/v1/tokens?kind=personal&agency=SXD").json
    assert personal and all(t["user_id"] for t in personal)
    assert call(client, system, "GET", "/api/v1/tasks").status_code == 200
    too_long = call(client, admin, "POST", "/api/v1/tokens", {
        "agency_code": "SXD", "roles": ["officer"], "label": "x", "system": True, "valid_days": 400})
    assert too_long.status_code == 422
    clock.advance(days=366)
    assert call(client, system, "GET", "/api/v1/tasks").status_code == 401


def test_audit_names_the_person_behind_a_token(app, api, people):
    client = app.test_client()
    created = call(client, people["officer_own"], "POST", "/api/v1/instances",
                   {"process_id": "lay_y_kien_phoi_hop"})
    assert created.json["history"][0]["actor"] == "user:u.officer_own"  # not "token:12"
    system = issue(client, people["admin"], agency_code="SXD", roles=["officer"], system=True)
    second = call(client, system, "POST", "/api/v1/instances", {"process_id": "lay_y_kien_phoi_hop"})
    actor = second.json["history"][0]["actor"]
    assert actor == f"token:{system['token_id']}@issuer:u.admin"  # accountable: who issued it


PASSWORD = "mật-khẩu-đủ-dài-2026"


def signed_in_copy(app, uow_factory, clock):
    """Sign u.web in; return the signed-in client and a second client holding a copied cookie."""
    user_id = directory.seed_user(uow_factory(), clock, "u.web", "Cán bộ", "SXD", ["officer"],
                                  PASSWORD)
    client, thief = app.test_client(), app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post("/login", data={"username": "u.web", "password": PASSWORD,
                                          "csrf_token": token})
    assert signed.status_code == 302
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/").status_code == 200
    return user_id, client, thief


REVOCATIONS = {
    "logout": None,
    "password": {"password": "mật-khẩu-mới-hoàn-toàn"},
    "roles": {"roles": ["deputy"]},
    "deactivation": {"active": False},
    "agency": {"agency_code": "STC"},
}


@pytest.mark.parametrize("cause", REVOCATIONS)
def test_a_copied_session_cookie_dies_with_every_session_of_its_user(app, people, uow_factory,
                                                                   clock, cause):
    user_id, client, thief = signed_in_copy(app, uow_factory, clock)
    if cause == "logout":
        page = client.get("/").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    else:
        changed = call(app.test_client(), people["admin"], "PATCH", f"/api/v1/users/{user_id}",
                       REVOCATIONS[cause])
        assert changed.status_code == 200
    assert thief.get("/").status_code == 302  # sent back to the sign-in page
    assert client.get("/").status_code == 302


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
    reassign = {"user_id": people["officer_own"]["user_id"]}
    path = f"/api/v1/tasks/{task['id']}/reassign"
    created = call(client, people["head_own"], "POST", "/api/v1/delegations", {
        "to_user_id": people["deputy_own"]["user_id"], "reason": "Đi công tác nước ngoài",
        "starts_at": "2026-02-13T08:00:00+07:00", "ends_at": "2026-02-24T08:00:00+07:00"})
    assert created.status_code == 201
    assert call(client, people["deputy_own"], "POST", path, reassign).status_code == 403  # not yet
    clock.set(datetime(2026, 2, 13, 1, 0, tzinfo=UTC))  # 13/2 08:00: the delegation starts
    assert call(client, people["deputy_own"], "POST", path, reassign).status_code == 200
    history = call(client, people["head_own"], "GET", f"/api/v1/instances/{instance_id}").json["history"]
    reassigned = [h for h in history if h["type"] == "task.reassigned"]
    assert "@head:u.head_own" in reassigned[0]["actor"]  # the borrowed authority is recorded
    clock.set(datetime(2026, 2, 24, 1, 0, tzinfo=UTC))  # 24/2 08:00: it has ended
    assert call(client, people["deputy_own"], "POST", f"/api/v1/tasks/{task['id']}/reassign",
                {"user_id": people["officer_own"]["user_id"]}).status_code == 403


def test_a_head_back_early_ends_the_delegation_and_every_token_loses_its_authority(app, people):
    client, deputy = app.test_client(), people["deputy_own"]
    created = call(client, people["head_own"], "POST", "/api/v1/delegations", {
        "to_user_id": deputy["user_id"], "reason": "Đi công tác nước ngoài",
        "starts_at": "2026-02-12T08:00:00+07:00", "ends_at": "2026-02-24T08:00:00+07:00"})
    borrowed = issue(client, deputy, roles=["head", "deputy"])
    assert call(client, borrowed, "GET", "/api/v1/users").status_code == 200
    path = f"/api/v1/delegations/{created.json['id']}/revoke"
    for who in ("deputy_own", "head_other", "officer_own"):
        assert call(client, people[who], "POST", path).status_code == 403
    ended = call(client, people["head_own"], "POST", path)
    assert ended.status_code == 200 and ended.json["revoked_at"] == "2026-02-12T02:00:00+00:00"
    assert call(client, borrowed, "GET", "/api/v1/users").status_code == 403
    assert call(client, deputy, "GET", "/api/v1/users").status_code == 403
    assert call(client, people["head_own"], "POST", path).status_code == 409  # already ended
