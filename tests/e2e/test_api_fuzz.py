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
