"""Time the discipline report, the overdue list and the bottleneck query on a generated province.

The issue asks, for a province of 1M tasks and 200k dossiers over two years: the monthly report
in under 5 s, the overdue list under 100 ms (p95), the bottleneck query under 2 s, and the
building process under 300 MB. For each size N in ``--sizes`` the database is filled (in
PostgreSQL, with generate_series) with
N tasks over 24 months (January 2025 to December 2026), one instance per five tasks, 40
agencies, 400 officers, a fifth of the tasks late (each with its ``overdue`` and
``late_completion`` violations), the last month's tasks still open; and one dossier per
instance (N/5: 200k dossiers for 1M tasks), a tenth finished late, one in 25 with two
supplement requests, one in 50 with an apology, the last month's still open. Then:

- ``report``: ``build_discipline_report`` for November 2026 (the month, the month before and
  the year to date, people, bottlenecks), best of 3;
- ``overdue``: the API's first page, ``overdue_rows`` (100, oldest first) and ``overdue_count``,
  as of 1 December 2026, p95 of 30;
- ``bottlenecks``: ``bottleneck_rows`` for November 2026, best of 3;
- ``memory``: the peak of Python allocations while building the report (tracemalloc), and the
  process's peak resident size so far.

Each figure is printed with its ratio to the first size (100k by default), to show how cost
grows. Aims are printed, never enforced. **The database's public schema is dropped**: use a
database of its own (default ``dunghan_bench_reports``), never ``test``.
"""

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.calendar import WorkCalendar  # noqa: E402
from engine.reports.bottlenecks import bottleneck_rows  # noqa: E402
from engine.reports.discipline import build_discipline_report  # noqa: E402
from engine.reports.overdue import overdue_count, overdue_rows  # noqa: E402
from engine.reports.period import month_of  # noqa: E402
from engine.reports.scoring import Scoring  # noqa: E402
from engine.store.migrate import upgrade  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_bench_reports"
FORBIDDEN = {"test", "postgres", "template0", "template1"}
AIMS = {"report_s": 5.0, "overdue_p95_ms": 100.0, "bottlenecks_s": 2.0, "peak_rss_mb": 300.0}
AGENCIES, USERS, TASKS_PER_INSTANCE = 40, 400, 5

# Every row derives from its number, so a size is reproducible. Tasks spread evenly over
# 2025-01-01..2026-12-01 (UTC); step k of an instance opens k hours after it; due 5 days later;
# task j is late when j % 5 == 0 (done 7 days after opening), else done after 1 + j % 3 days;
# tasks opened after 2026-11-20 are still open. Half of the tasks are claimed by an officer.
GENERATE = """
INSERT INTO agencies (code, name, kind, head_name)
SELECT 'A' || lpad(a::text, 2, '0'), 'Cơ quan ' || a, 'so', 'Thủ trưởng ' || a
FROM generate_series(0, {agencies} - 1) a;
INSERT INTO users (id, username, full_name, agency_code, roles, active, created_at)
SELECT 'u' || u, 'cb' || u, 'Cán bộ ' || u, 'A' || lpad((u % {agencies})::text, 2, '0'),
       '["officer"]', true, '2025-01-01'
FROM generate_series(0, {users} - 1) u;
INSERT INTO process_versions (id, process_id, version, name, content_hash, bpmn_xml, spec_json,
                              deployed_at, deployed_by)
SELECT p, 'quy_trinh_' || p, 1, 'Quy trình ' || p, md5(p::text), '', '{{}}', '2025-01-01', 'bench'
FROM generate_series(1, 3) p;
INSERT INTO instances (id, process_version_id, process_id, process_version, status, state_json,
                       version, lead_agency, started_by, created_at, updated_at)
SELECT 'i' || i, 1 + i % 3, 'quy_trinh_' || (1 + i % 3), 1, 'running', '{{}}', 1,
       'A' || lpad((i % {agencies})::text, 2, '0'), 'bench',
       timestamptz '2025-01-01 00:00+00' + (i::float / {instances}) * interval '700 days',
       timestamptz '2025-01-01 00:00+00'
FROM generate_series(0, {instances} - 1) i;
INSERT INTO tasks (id, instance_id, bpmn_id, name, agency_code, form, state, created_at, due_at,
                   escalation_level, deemed_consent, claimed_by, completed_at, data)
SELECT 't' || j, 'i' || (j / {per}), 'buoc_' || (j % {per}), 'Bước ' || (j % {per}),
       'A' || lpad(((j * 7) % {agencies})::text, 2, '0'),
       CASE WHEN j % {per} = 1 THEN 'consultation_reply' END,
       CASE WHEN opened > timestamptz '2026-11-20 00:00+00' THEN 'open' ELSE 'completed' END,
       opened, opened + interval '5 days', 0, false,
       CASE WHEN j % 2 = 0 THEN 'u' || (j % {users}) END,
       CASE WHEN opened > timestamptz '2026-11-20 00:00+00' THEN NULL
            WHEN j % 5 = 0 THEN opened + interval '7 days'
            ELSE opened + (1 + j % 3) * interval '1 day' END,
       '{{}}'
FROM (SELECT j, timestamptz '2025-01-01 00:00+00'
                + ((j / {per})::float / {instances}) * interval '700 days'
                + (j % {per}) * interval '1 hour' AS opened
      FROM generate_series(0, {tasks} - 1) j) g;
INSERT INTO procedure_versions (id, code, version, name, content_hash, definition, loaded_at)
SELECT p, '1.00' || p, 1, 'Thủ tục ' || p, md5(p::text), '{{}}', '2025-01-01'
FROM generate_series(1, 5) p;
INSERT INTO dossiers (code, instance_id, procedure_version_id, procedure_code, agency_code,
                      desk_agency, applicant, channel, status, submitted_at, received_at,
                      promised_at, original_promised_at, finished_at, supplement_count,
                      paused_seconds, apologised_at, apology_missing, late, version, updated_at)
SELECT 'HS-' || i, 'i' || i, 1 + i % 5, '1.00' || (1 + i % 5), a, a, '{{}}', 'paper',
       CASE WHEN received > timestamptz '2026-11-20 00:00+00' THEN 4 ELSE 10 END,
       received, received, received + interval '5 days', received + interval '5 days',
       CASE WHEN received > timestamptz '2026-11-20 00:00+00' THEN NULL
            WHEN i % 10 = 0 THEN received + interval '8 days'
            ELSE received + interval '3 days' END,
       CASE WHEN i % 25 = 0 THEN 2 ELSE 0 END, 0,
       CASE WHEN i % 50 = 0 THEN received + interval '2 days' END, false,
       i % 10 = 0 OR i % 25 = 0, 1, received
FROM (SELECT i, 'A' || lpad((i % {agencies})::text, 2, '0') AS a,
             timestamptz '2025-01-01 00:00+00' + (i::float / {instances}) * interval '700 days' AS received
      FROM generate_series(0, {instances} - 1) i) g;
INSERT INTO violations (agency_code, kind, instance_id, task_id, occurred_at)
SELECT agency_code, kind, instance_id, id, CASE kind WHEN 'overdue' THEN due_at ELSE completed_at END
FROM tasks, (VALUES ('overdue'), ('late_completion')) k(kind)
WHERE completed_at > due_at;
ANALYZE;
"""


def reset(url: str) -> None:
    """Create the database if missing and empty its public schema."""
    name = sa.engine.make_url(url).database
    if name in FORBIDDEN:
        sys.exit(f"refusing to drop the schema of database {name!r}")
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def generate(url: str, tasks: int) -> float:
    """Fill the province; return the seconds it took."""
    sql = GENERATE.format(agencies=AGENCIES, users=USERS, per=TASKS_PER_INSTANCE, tasks=tasks,
                          instances=max(1, tasks // TASKS_PER_INSTANCE))
    started = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in filter(str.strip, sql.split(";\n")):
            conn.execute(sa.text(statement))
    engine.dispose()
    return time.perf_counter() - started


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(url: str) -> dict:
    """Time the three queries on the current data."""
    calendar, scoring = WorkCalendar.from_file(), Scoring.from_file()
    period = month_of(2026, 11, calendar.tz)
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        build_discipline_report(conn, period, now, calendar, scoring)  # warm caches once
        report_s = best(lambda: build_discipline_report(conn, period, now, calendar, scoring), 3)
        tracemalloc.start()
        report = build_discipline_report(conn, period, now, calendar, scoring)
        python_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        overdue = []
        for _ in range(30):
            started = time.perf_counter()
            overdue_rows(conn, now, calendar)
            overdue_count(conn, now, calendar)
            overdue.append((time.perf_counter() - started) * 1000)
        bottlenecks_s = best(lambda: bottleneck_rows(conn, period, calendar), 3)
    engine.dispose()
    ranked = sum(1 for r in report["sections"]["ranking"]["rows"] if r["rank"] is not None)
    return {"report_s": report_s, "overdue_p95_ms": statistics.quantiles(overdue, n=20)[-1],
            "bottlenecks_s": bottlenecks_s, "python_peak_mb": python_peak,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "ranked_agencies": ranked, "dossiers": report["sections"]["dossiers"]["totals"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="task counts, the first is the reference")
    parser.add_argument("--postgres-url", default=DEFAULT_URL)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        reset(args.postgres_url)
        seconds = generate(args.postgres_url, size)
        results[size] = measure(args.postgres_url)
        print(f"generated {size:,} tasks in {seconds:.1f} s", flush=True)
    reference = results[sizes[0]]
    print(f"\n{'figure':<16}" + "".join(f"{s:>14,}" for s in sizes) + "   ratio to first   aim")
    for key in ("report_s", "overdue_p95_ms", "bottlenecks_s", "python_peak_mb", "peak_rss_mb"):
        ratios = " ".join(f"{results[s][key] / reference[key]:.2f}x" for s in sizes[1:])
        aim = f"< {AIMS[key]:g}" if key in AIMS else ""
        print(f"{key:<16}" + "".join(f"{results[s][key]:>14.3f}" for s in sizes) + f"   {ratios:<15} {aim}")
    for size in sizes:
        d = results[size]["dossiers"]
        print(f"{size:,} tasks: November 2026 ranks {results[size]['ranked_agencies']} of {AGENCIES} "
              f"agencies; {d['in_period']:,} dossiers in the period, 766 on-time rate "
              f"{d['on_time_rate']:.1%}")


if __name__ == "__main__":
    main()
