"""Liveness and readiness."""

import sqlalchemy as sa
from apiflask import APIBlueprint

from service.runtime import runtime

bp = APIBlueprint("health", __name__, tag="Hệ thống")


@bp.get("/healthz")
@bp.doc(responses={503: "Cơ sở dữ liệu không trả lời"})
def healthz():
    """Report whether the service can reach its database."""
    try:
        with runtime().uow.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "up"}
