"""A step that fails is visible: logged with its instance and element, kept on the instance and
shown to its readers, recorded in the audit log even when it failed while starting."""

import logging

import sqlalchemy as sa

from engine.store.tables import audit_events
from tests import bpmn_models as m


def test_a_script_failing_at_start_leaves_an_audit_row_and_a_log_line(api, uow_factory, caplog):
    assert m.deploy(api, m.script_chain("total = missing_value + 1")).status_code == 201
    with caplog.at_level(logging.WARNING):
        response = m.start(api)
    assert response.status_code == 422
    assert "missing_value" in response.json["detail"] and "script_1" in response.json["detail"]
    with uow_factory.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_events)).mappings().all()
    [failed] = [r for r in rows if r["type"] == "instance.start_failed"]
    assert failed["actor"] and "missing_value" in failed["detail"]["reason"]
    assert failed["detail"]["process_id"] == "thu_nghiem" and failed["detail"]["agency"] == "STP"
    logged = [r.getMessage() for r in caplog.records if "script_1" in r.getMessage()]
    assert logged and failed["instance_id"] in logged[0]


def test_a_failed_step_is_logged_and_shown_as_last_error_to_readers(api, caplog):
    assert m.deploy(api, m.script_chain("x = 1 / 0", ask_first=True)).status_code == 201
    started = m.start(api)
    instance_id = started.json["id"]
    [ask] = started.json["open_tasks"]
    with caplog.at_level(logging.WARNING):
        failed = api("POST", f"/api/v1/tasks/{ask['id']}/complete", "STP", json={"data": {}})
    assert failed.status_code == 422 and "division by zero" in failed.json["detail"]
    assert any(instance_id in r.getMessage() and "script_1" in r.getMessage()
               for r in caplog.records)
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert "division by zero" in view["last_error"]
    assert api("GET", f"/api/v1/instances/{instance_id}", "VPUBND").json["last_error"]


def test_a_gateway_error_carries_its_cause(api):
    assert m.deploy(api, m.gateway("so_ngay &gt; 5")).status_code == 201
    response = m.start(api)
    assert response.status_code == 422
    assert "so_ngay" in response.json["detail"] and "gw" in response.json["detail"]


def test_a_script_failing_after_a_timer_is_recorded_on_the_instance_by_the_worker(
        api, uow_factory, clock):
    from engine import services
    from engine.rules import default_rules
    from engine.worker import Worker

    body = m.document("""
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start_wait</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f_start_wait</bpmn:incoming>
      <bpmn:outgoing>f_wait_boom</bpmn:outgoing><bpmn:timerEventDefinition id="td">
      <bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="boom"><bpmn:incoming>f_wait_boom</bpmn:incoming>
      <bpmn:outgoing>f_boom_end</bpmn:outgoing><bpmn:script>x = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f_boom_end</bpmn:incoming></bpmn:endEvent>
    """ + m.flows("start>wait", "wait>boom", "boom>end"))
    assert m.deploy(api, body).status_code == 201
    instance_id = m.start(api).json["id"]
    clock.advance(hours=2)
    worker = Worker(uow_factory, clock, services.handlers(default_rules()), "w1")
    assert worker.run_once() == 1
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert view["status"] == "running" and "boom" in view["last_error"]
    assert view["history"][-1]["type"] == "instance.step_failed"
