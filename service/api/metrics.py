"""Prometheus metrics: timer lag, job backlog, failed jobs and worker heartbeats."""

import hmac
import ipaddress

from apiflask import APIBlueprint
from flask import Response, current_app, request

from engine.store.metrics import snapshot
from service.runtime import runtime

bp = APIBlueprint("metrics", __name__, tag="Hệ thống")

LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


@bp.get("/metrics")
@bp.doc(responses={200: "Prometheus text format"})
def metrics():
    """Expose job and worker metrics in the Prometheus text format.

    Only to the machine itself, or to a scraper that sends DUNGHAN_METRICS_TOKEN as a bearer.
    """
    if refused := _refusal():
        return refused
    rt = runtime()
    with rt.uow() as uow:
        data = snapshot(uow.conn, rt.clock.now())
    lines = [
        "# HELP dunghan_job_lag_seconds Delay between a job's due time and its effect (fired_at - due_at).",
        "# TYPE dunghan_job_lag_seconds histogram",
        *_histogram("dunghan_job_lag_seconds", data.lags),
        "# HELP dunghan_job_backlog Jobs due now and not yet done.",
        "# TYPE dunghan_job_backlog gauge",
        f"dunghan_job_backlog {data.backlog}",
        "# HELP dunghan_jobs_failed Jobs that exhausted their retries.",
        "# TYPE dunghan_jobs_failed gauge",
        f"dunghan_jobs_failed {data.failed}",
        "# HELP dunghan_worker_heartbeat_timestamp_seconds Last loop of each worker (Unix time).",
        "# TYPE dunghan_worker_heartbeat_timestamp_seconds gauge",
        *[f'dunghan_worker_heartbeat_timestamp_seconds{{worker="{w}"}} {at.timestamp():.3f}'
          for w, at in data.heartbeats.items()],
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def _refusal():
    from service.problems import problem

    expected = current_app.config.get("METRICS_TOKEN")
    if expected:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            return problem(401, "Cần mã giám sát (Authorization: Bearer ...)",
                           headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return None
    if not _from_this_machine():
        return problem(403, "Số liệu giám sát chỉ xem được từ chính máy chủ, "
                            "hoặc với mã giám sát DUNGHAN_METRICS_TOKEN")
    return None


def _from_this_machine() -> bool:
    # A reverse proxy on this machine connects from 127.0.0.1 on behalf of someone else.
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _histogram(name: str, values: list[float]) -> list[str]:
    lines = [f'{name}_bucket{{le="{b}"}} {sum(v <= b for v in values)}' for b in LAG_BUCKETS]
    lines.append(f'{name}_bucket{{le="+Inf"}} {len(values)}')
    lines.append(f"{name}_sum {sum(values):.6f}")
    lines.append(f"{name}_count {len(values)}")
    return lines
