"""Schemathesis fuzzes every operation of the OpenAPI document: no input yields a 500.

It generates paths, queries and bodies from the schema (conforming and not) and sends them
with an officer's token and with the admin's, so validation and the use cases both run.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests import flows

EXAMPLES = 15


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_generated_request_gets_a_server_error(app, api, tokens):
    flows.start(api, consulted=("SXD",))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        fuzz(operation, tokens)


def fuzz(operation, tokens) -> None:
    """Send generated requests to one operation; fail on the first 5xx, naming it."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        for who in ("SXD", "VPUBND_admin"):
            case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"},
                                   checks=[not_a_server_error])

    run()


NESTED = b'{"a":' * 5000 + b"1" + b"}" * 5000
HOSTILE_BODIES = {
    "nested_5000": NESTED,
    "nested_33_in_data": b'{"data": ' + b"[" * 33 + b"]" * 33 + b', "process_id": "x"}',
    "oversized": b'{"data": {"x": "' + b"a" * (600 * 1024) + b'"}}',
    "nested_in_a_string_only": b'{"note": "' + b"[{" * 3000 + b'"}',
}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_nested_and_oversized_bodies_never_get_a_server_error(app, api, tokens):
    """Send each hostile body to every operation, with every method the document lists."""
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    ids = {"instance_id": instance_id, "task_id": task["id"], "process_id": "lay_y_kien_phoi_hop"}
    spec = api("GET", "/api/v1/openapi.json").json
    sent = 0
    for path, operations in spec["paths"].items():
        url = path
        for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
            url = url.replace(f"{{{name}}}", ids.get(name, "khong-co"))
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for body_name, body in HOSTILE_BODIES.items():
                for who in ("SXD", "VPUBND_admin"):
                    response = api(method.upper(), url, who, data=body,
                                   content_type="application/json")
                    sent += 1
                    assert response.status_code < 500, (method, url, body_name, response.data[:300])
    assert sent > 100
