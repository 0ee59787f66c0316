"""Bodies built to hurt the service: too deep or too large JSON is refused at the edge with 422.

Nesting is what recursive encoders and decoders choke on (a RecursionError used to answer 500
and, stored in an instance, made it unreadable for good); size is what fills the database.
"""

import json

import pytest
import sqlalchemy as sa

from engine.store.tables import instances
from service.bodies import MAX_JSON_BYTES, MAX_JSON_DEPTH
from tests import flows


def nested(levels: int) -> dict:
    """Return an object nested ``levels`` deep: {"a": {"a": ... 1}}."""
    value = 1
    for _ in range(levels - 1):
        value = {"a": value}
    return {"a": value}


def raw_nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def test_a_completion_nested_400_levels_is_refused_and_the_instance_stays_readable(api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    body = '{"data": ' + raw_nested(400) + "}"
    response = api("POST", f"/api/v1/tasks/{task['id']}/complete", "SXD", data=body,
                   content_type="application/json")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert str(MAX_JSON_DEPTH) in response.json["detail"]
    assert api("GET", f"/api/v1/instances/{instance_id}", "STP").status_code == 200


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 990, 100_000])
def test_any_depth_past_the_limit_is_a_422_problem_not_a_500(api, uow_factory, levels):
    body = '{"process_id": "lay_y_kien_phoi_hop", "variables": ' + raw_nested(levels) + "}"
    response = api("POST", "/api/v1/instances", "STP", data=body, content_type="application/json")
    assert response.status_code == 422, response.data[:200]
    with uow_factory.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(instances)).scalar() == 0


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    title = "[[[{{{" * 40 + '\\"]]]'
    variables = {"note": json.loads(f'"{title}"')}
    body = json.dumps({"process_id": "lay_y_kien_phoi_hop", "variables": variables})
    response = api("POST", "/api/v1/instances", "STP", data=body, content_type="application/json")
    assert response.status_code == 201, response.json


def test_a_start_variable_at_the_depth_limit_is_accepted_and_readable(api):
    variables = {"v": nested(MAX_JSON_DEPTH - 3)}  # the envelope adds three levels
    response = api("POST", "/api/v1/instances", "STP",
                   json={"process_id": "lay_y_kien_phoi_hop", "variables": variables})
    assert response.status_code == 201, response.json
    assert api("GET", f"/api/v1/instances/{response.json['id']}", "STP").status_code == 200


def test_an_oversized_json_body_is_refused_with_422(api):
    body = json.dumps({"process_id": "lay_y_kien_phoi_hop",
                       "variables": {"note": "x" * MAX_JSON_BYTES}})
    response = api("POST", "/api/v1/instances", "STP", data=body, content_type="application/json")
    assert response.status_code == 422
    assert "KB" in response.json["detail"]
