"""A database that stops answering gives 503 problem details, never a 500."""

import sqlalchemy as sa

from service.app import create_app
from tests.conftest import PROCESSES


def test_unreachable_database_answers_503_with_retry_after(uow_factory, clock, tokens):
    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES})
    broken = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    app.extensions["dunghan"].uow.engine = broken  # as if the server went away
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {tokens['SXD']}"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert app.test_client().get("/healthz").status_code == 503
