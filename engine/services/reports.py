"""Report use cases: who may read which rows, then the figures, in one read-only unit of work."""

from datetime import datetime

import sqlalchemy as sa

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Forbidden, NotFound
from engine.identity import Principal, Role
from engine.reports import publication
from engine.reports.bottlenecks import bottleneck_rows, step_rows
from engine.reports.discipline import build_discipline_report, scope_report
from engine.reports.overdue import OverdueFilter, backlog, overdue_by_person, overdue_count, overdue_rows
from engine.reports.period import Period
from engine.reports.scoring import Scoring
from engine.rules import Rules
from engine.store.reports import PublishedReports
from engine.store.uow import UnitOfWork

OWN_ROWS_ONLY = "Cơ quan chỉ được xem số liệu của chính mình"
PUBLISHERS = {Role.HOME_AFFAIRS, Role.ADMIN}


def report_scope(principal: Principal) -> str | None:
    """Return None for readers of every agency, else the one agency whose rows the caller reads."""
    if policy.may(principal, policy.Action.READ_REPORTS):
        return None
    if principal.has_any(policy.WORKERS) and principal.agency:
        return principal.agency
    policy.require(principal, policy.Action.READ_REPORTS)  # raises with the reason
    return None


def read_discipline_report(uow: UnitOfWork, principal: Principal, period: Period, now: datetime,
                           rules: Rules, scoring: Scoring) -> dict:
    """Build the discipline report for a period; an agency reads only its own rows."""
    scope = report_scope(principal)
    with uow:
        report = build_discipline_report(uow.conn, period, now, rules.calendar, scoring)
    return scope_report(report, scope) if scope else report


def read_overdue_report(uow: UnitOfWork, principal: Principal, now: datetime, rules: Rules,
                        wanted: OverdueFilter, page: int = 1, per_page: int = 100) -> dict:
    """List one page of overdue work with filters, and the backlog per agency and process."""
    scope = report_scope(principal)
    if scope and wanted.agency not in (None, scope):
        raise Forbidden(OWN_ROWS_ONLY)
    agency = scope or wanted.agency
    chosen = OverdueFilter(agency, wanted.process, wanted.person, wanted.min_days_late)
    with uow:
        return {"as_of": now.isoformat(), "filter": chosen.__dict__,
                "items": overdue_rows(uow.conn, now, rules.calendar, chosen, per_page,
                                      (page - 1) * per_page),
                "page": page, "per_page": per_page,
                "total": overdue_count(uow.conn, now, rules.calendar, chosen),
                "by_person": overdue_by_person(uow.conn, now, rules.calendar, chosen),
                "backlog": backlog(uow.conn, now, agency)}


def read_overdue_dashboard(uow: UnitOfWork, principal: Principal, now: datetime, rules: Rules,
                           wanted: OverdueFilter, page: int = 1, per_page: int = 50) -> dict:
    """Give the owner of the overdue list every agency's overdue work, backlog and totals.

    Unlike the report API, which lets an agency read its own rows, this whole-province view
    belongs to the Provincial Office (and admins): anyone else is refused.
    """
    policy.require(principal, policy.Action.READ_OVERDUE)
    report = read_overdue_report(uow, principal, now, rules, wanted, page, per_page)
    with uow:
        names = {a["code"]: a["name"] for a in uow.directory.agencies()}
    return {**report, "agency_names": names, "by_agency": backlog_by_agency(report["backlog"])}


def backlog_by_agency(rows: list[dict]) -> list[dict]:
    """Sum the backlog per agency over its processes, the agency with most overdue first."""
    totals: dict[str, dict] = {}
    for r in rows:
        entry = totals.setdefault(r["agency"], {"agency": r["agency"], "open": 0, "overdue": 0,
                                                "oldest_due_at": None})
        entry["open"] += r["open"]
        entry["overdue"] += r["overdue"]
        dues = [d for d in (entry["oldest_due_at"], r["oldest_due_at"]) if d]
        entry["oldest_due_at"] = min(dues, default=None)
    return sorted(totals.values(), key=lambda e: (-e["overdue"], -e["open"], e["agency"]))


def read_province_report(uow: UnitOfWork, principal: Principal, period: Period, now: datetime,
                         rules: Rules, scoring: Scoring) -> dict:
    """Build the whole province's discipline report for its readers (Home Affairs, Provincial Office).

    An agency reads its own rows through the report API; this page-sized view of every
    agency is refused to it.
    """
    policy.require(principal, policy.Action.READ_REPORTS)
    return read_discipline_report(uow, principal, period, now, rules, scoring)


def read_bottlenecks(uow: UnitOfWork, principal: Principal, period: Period, rules: Rules,
                     scoring: Scoring) -> dict:
    """Return working time per process step and agency for a period, with the cut target."""
    scope = report_scope(principal)
    target = scoring.simplification_target
    with uow:
        rows = bottleneck_rows(uow.conn, period, rules.calendar, scope, target)
        steps = rows if scope else step_rows(uow.conn, period, rules.calendar, None, target)
    return {"period": period.as_dict(), "simplification_target": target, "rows": rows, "steps": steps}


def may_publish(principal: Principal) -> bool:
    """Tell whether the principal may publish a month's report again."""
    return principal.has_any(PUBLISHERS)


def publish_report(uow: UnitOfWork, clock: Clock, principal: Principal, period: Period, rules: Rules,
                   scoring: Scoring, reason: str) -> tuple[dict, bool]:
    """Rebuild a month's report now; store a new revision only if a figure changed."""
    if not may_publish(principal):
        raise Forbidden("Chỉ Sở Nội vụ hoặc quản trị hệ thống được công bố báo cáo")
    now = clock.now()
    try:
        with uow:
            published, new = publication.publish(uow, period, now, rules.calendar, scoring,
                                                 principal.subject, reason)
            uow.commit()
    except sa.exc.IntegrityError:  # two rebuilds raced for the same revision number
        raise Conflict("Báo cáo kỳ này vừa được công bố bởi yêu cầu khác; hãy thử lại") from None
    return published, new


def list_published(uow: UnitOfWork, principal: Principal, period: str | None = None) -> list[dict]:
    """List the published revisions, newest period first."""
    report_scope(principal)  # any reader of reports, an agency for its own rows
    with uow:
        rows = PublishedReports(uow.conn).summaries(publication.KIND, period)
    return [publication.summary_view(r) for r in rows]


def read_published(uow: UnitOfWork, principal: Principal, period: str, revision: int) -> dict:
    """Return one published revision exactly as stored (an agency sees its own rows of it)."""
    scope = report_scope(principal)
    with uow:
        row = PublishedReports(uow.conn).get(publication.KIND, period, revision)
    if row is None:
        raise NotFound(f"Chưa công bố bản số {revision} của báo cáo kỳ {period}")
    return scope_report(row["content"], scope) if scope else row["content"]


def schedule_publication(uow: UnitOfWork, clock: Clock, rules: Rules) -> bool:
    """Make sure this month's report will be published on the next month's first working day."""
    now = clock.now()
    with uow:
        added = publication.schedule_month(uow, publication.current_month(now, rules.calendar.tz),
                                           rules.calendar, now)
        uow.commit()
    return added


def handlers(rules: Rules, scoring: Scoring) -> dict:
    """Return the worker's handler for ``report`` jobs."""
    return {publication.JOB_KIND: lambda uow, job, now: publication.publish_monthly(
        uow, job, now, rules.calendar, scoring)}
