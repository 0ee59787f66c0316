"""Authentication, health and the OpenAPI document."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import directory
from engine.identity import Role
from engine.store.tables import api_tokens


@pytest.mark.parametrize("header", [None, "Bearer dh_wrong", "Basic dXNlcjpwYXNz"])
def test_missing_or_wrong_tokens_are_401(api, header):
    headers = {"Authorization": header} if header else {}
    response = api("GET", "/api/v1/tasks", headers=headers)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "WWW-Authenticate" in response.headers


def test_expired_and_revoked_tokens_are_refused(api, uow_factory, clock):
    token = directory.issue_token(uow_factory(), clock, "STP", Role.OFFICER, "ngắn hạn", valid_days=1)
    auth = {"Authorization": f"Bearer {token}"}
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 200
    clock.advance(days=1)
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 401
    clock.advance(days=-1)
    with uow_factory.engine.begin() as conn:
        conn.execute(sa.update(api_tokens).values(revoked_at=clock.now() - timedelta(seconds=1)))
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 401


def test_tokens_are_stored_only_as_hashes(uow_factory, tokens):
    with uow_factory.engine.connect() as conn:
        stored = " ".join(conn.execute(sa.select(api_tokens.c.token_hash)).scalars())
    assert stored and not any(token in stored for token in tokens.values())


def test_healthz_reports_the_database(api):
    response = api("GET", "/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "up"}


def test_openapi_document_describes_the_routes_and_bearer_auth(api):
    spec = api("GET", "/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ["/api/v1/processes", "/api/v1/processes/{process_id}", "/api/v1/instances",
                 "/api/v1/instances/{instance_id}", "/api/v1/instances/{instance_id}/cancel",
                 "/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/tasks/{task_id}/complete"]:
        assert path in spec["paths"], path
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
    docs = api("GET", "/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert api("GET", "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_unknown_route_and_method_are_problem_details(api):
    assert api("GET", "/api/v1/nothing", "STP").headers["Content-Type"] == "application/problem+json"
    assert api("DELETE", "/api/v1/tasks", "STP").status_code == 405
