"""Prometheus metrics: timer lag, job backlog, failed jobs and worker heartbeats."""

from apiflask import APIBlueprint
from flask import Response

from engine.store.metrics import snapshot
from service.runtime import runtime

bp = APIBlueprint("metrics", __name__, tag="Hệ thống")

LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


@bp.get("/metrics")
@bp.doc(responses={200: "Prometheus text format"})
def metrics():
    """Expose job and worker metrics in the Prometheus text format."""
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


def _histogram(name: str, values: list[float]) -> list[str]:
    lines = [f'{name}_bucket{{le="{b}"}} {sum(v <= b for v in values)}' for b in LAG_BUCKETS]
    lines.append(f'{name}_bucket{{le="+Inf"}} {len(values)}')
    lines.append(f"{name}_sum {sum(values):.6f}")
    lines.append(f"{name}_count {len(values)}")
    return lines
