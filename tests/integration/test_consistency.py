"""Saving is all-or-nothing and a compare-and-set: no lost update, no half-written instance."""

import threading

import pytest
import sqlalchemy as sa

from engine.store.tables import audit_events, instances, outbox, tasks
from tests import flows
from tests.forms import deploy_with_forms, fields_form
from tests.integration.test_processes_api import bpmn

FAILS_AFTER_TASK = bpmn("""
    <bpmn:userTask id="work" name="Nhập số liệu"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="agency" value="lead_agency" />
      <spiffworkflow:property name="form" value="so_lieu" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="divide"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>ratio = total / count</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="divide" />
    <bpmn:sequenceFlow id="f3" sourceRef="divide" targetRef="end" />""", process_id="chia_so")


def snapshot(uow_factory) -> dict:
    with uow_factory.engine.connect() as conn:
        rows = {t.name: conn.execute(sa.select(t)).mappings().all()
                for t in (instances, tasks, audit_events, outbox)}
    return {name: [dict(r) for r in found] for name, found in rows.items()}


def test_a_failing_script_rolls_the_whole_step_back(api, uow_factory):
    assert deploy_with_forms(api, FAILS_AFTER_TASK,
                             {"so_lieu": fields_form("total", "count")}).status_code == 201
    started = api("POST", "/api/v1/instances", "STP", json={"process_id": "chia_so"}).json
    task_id = started["open_tasks"][0]["id"]
    before = snapshot(uow_factory)
    response = api("POST", f"/api/v1/tasks/{task_id}/complete", "STP",
                   json={"data": {"total": 10, "count": 0}})
    assert response.status_code == 422
    assert "ZeroDivisionError" in response.json["detail"] or "division" in response.json["detail"]
    after = snapshot(uow_factory)
    assert after["tasks"] == before["tasks"]
    [instance_before], [instance_after] = before["instances"], after["instances"]
    assert instance_after["state_json"] == instance_before["state_json"]
    assert instance_after["version"] == instance_before["version"]
    assert "ZeroDivisionError" in instance_after["last_error"]
    new_audit = after["audit_events"][len(before["audit_events"]):]
    assert [a["type"] for a in new_audit] == ["instance.step_failed"]
    retry = api("POST", f"/api/v1/tasks/{task_id}/complete", "STP", json={"data": {"total": 10, "count": 4}})
    assert retry.status_code == 200 and retry.json["instance_status"] == "completed"


def test_audit_log_is_append_only(api, uow_factory):
    flows.start(api)
    with pytest.raises(sa.exc.DBAPIError), uow_factory.engine.begin() as conn:
        conn.execute(sa.delete(audit_events))
    with pytest.raises(sa.exc.DBAPIError), uow_factory.engine.begin() as conn:
        conn.execute(sa.update(audit_events).values(actor="ai đó"))


def race(app, token: str, task_id: str) -> list[tuple[int, str]]:
    """Send two completions of one task at the same moment; return (status, position) pairs."""
    barrier, statuses = threading.Barrier(2), []

    def complete(position):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/tasks/{task_id}/complete",
                               headers={"Authorization": f"Bearer {token}"},
                               json={"data": {"position": position, "reasons": flows.REASONS}})
        statuses.append((response.status_code, position))

    threads = [threading.Thread(target=complete, args=(p,)) for p in ("agree", "disagree")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_concurrent_completions_give_one_200_and_one_409(app, tokens):
    """Race two requests for the same task, on each backend; never lose an update."""
    client = app.test_client()

    def call(method, path, agency, **kw):
        return client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[agency]}"}, **kw)

    for _ in range(10):
        instance_id, _ = flows.start(call, consulted=("SXD", "STC"))
        task = flows.open_task(call, "SXD", instance_id)
        statuses = race(app, tokens["SXD"], task["id"])
        assert sorted(s for s, _ in statuses) == [200, 409]
        winner = next(p for s, p in statuses if s == 200)
        view = call("GET", f"/api/v1/instances/{instance_id}", "STP").json
        completed = [h for h in view["history"]
                     if h["type"] == "task.completed" and h["task_id"] == task["id"]]
        assert len(completed) == 1
        stored = call("GET", f"/api/v1/tasks/{task['id']}", "SXD").json
        assert stored["state"] == "completed" and stored["data"]["position"] == winner
        assert flows.reply(call, "STC", instance_id, "agree").status_code == 200
        replies = call("GET", f"/api/v1/instances/{instance_id}", "STP").json["variables"]["replies"]
        assert [r["position"] for r in replies] == [winner, "agree"]
