"""Publish a month's discipline report as an immutable revision, and schedule the monthly run.

On the first working day of each month, at the opening of business, a leased ``report`` job
builds the previous month's report and stores it as revision 1. Rebuilding later stores a
new revision only when a figure changed (data corrected since), with the reason; an
unchanged rebuild returns the revision already published. Each new revision announces
``report.published`` through the outbox, to every agency (each reads its own rows).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from engine.events import Event
from engine.reports.discipline import build_discipline_report
from engine.reports.period import Period, month_of
from engine.reports.scoring import Scoring
from engine.store.reports import PublishedReports
from engine.store.tables import agencies

KIND = "discipline"
JOB_KIND = "report"
MONTHLY_REASON = "Công bố định kỳ ngày làm việc đầu tiên của tháng"


@dataclass(frozen=True)
class ReportPublished(Event):
    """A revision of a period's report was stored; ``audience`` lists the agencies told."""

    kind: str = ""
    period: str = ""
    revision: int = 0
    content_sha256: str = ""
    link_path: str = ""
    audience: list = field(default_factory=list)
    type = "report.published"


def fingerprint(report: dict) -> str:
    """Hash a report's figures, leaving out when it was built, so equal figures hash alike."""
    figures = {k: v for k, v in report.items() if k != "generated_at"}
    return hashlib.sha256(json.dumps(figures, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def publish(uow, period: Period, now: datetime, calendar, scoring: Scoring, actor: str,
            reason: str) -> tuple[dict, bool]:
    """Store the period's report as its next revision unless the latest has the same figures.

    Runs inside the caller's unit of work; returns the revision's summary and whether it is new.
    """
    store = PublishedReports(uow.conn)
    report = build_discipline_report(uow.conn, period, now, calendar, scoring)
    digest, latest = fingerprint(report), store.latest(KIND, period.label)
    if latest is not None and latest["content_sha256"] == digest:
        return summary_view(latest), False
    revision = latest["revision"] + 1 if latest else 1
    store.add(kind=KIND, period=period.label, revision=revision, content={**report, "revision": revision},
              content_sha256=digest, built_at=now, built_by=actor, reason=reason)
    audience = list(uow.conn.execute(sa.select(agencies.c.code).order_by(agencies.c.code)).scalars())
    uow.journal.record(ReportPublished(
        "", now, actor, KIND, period.label, revision, digest,
        f"/api/v1/reports/discipline/published/{period.label}/{revision}", audience))
    return summary_view(store.latest(KIND, period.label)), True


def summary_view(row) -> dict:
    return {"kind": row["kind"], "period": row["period"], "revision": row["revision"],
            "content_sha256": row["content_sha256"], "built_at": row["built_at"].isoformat(),
            "built_by": row["built_by"], "reason": row["reason"]}


def publication_due(period: Period, calendar) -> datetime:
    """Return the opening of business on the first working day after the period's month."""
    day = calendar.next_working_day(period.last)  # strictly after the month's last day
    return datetime.combine(day, calendar.hours.periods[0][0], period.tz)


def schedule_month(uow, period: Period, calendar, now: datetime) -> bool:
    """Queue the job that publishes a month's report; the key makes it once per month."""
    key = f"{JOB_KIND}:{KIND}:{period.label}"
    return uow.jobs.schedule(JOB_KIND, key, publication_due(period, calendar), {"period": period.label}, now)


def current_month(now: datetime, tz) -> Period:
    local = now.astimezone(tz)
    return month_of(local.year, local.month, tz)


def publish_monthly(uow, job, now: datetime, calendar, scoring: Scoring) -> None:
    """Handle a ``report`` job: publish its month, then queue the next month's publication."""
    year, month = (int(x) for x in job.payload["period"].split("-"))
    period = month_of(year, month, calendar.tz)
    publish(uow, period, now, calendar, scoring, "system", MONTHLY_REASON)
    schedule_month(uow, period.next_month(), calendar, now)
