"""Report use cases: who may read which rows, then the figures, in one read-only unit of work."""

from datetime import datetime

from engine import policy
from engine.errors import Forbidden
from engine.identity import Principal
from engine.reports.bottlenecks import bottleneck_rows
from engine.reports.discipline import build_discipline_report
from engine.reports.overdue import OverdueFilter, backlog, overdue_rows
from engine.reports.period import Period
from engine.reports.scoring import Scoring
from engine.rules import Rules
from engine.store.uow import UnitOfWork

OWN_ROWS_ONLY = "Cơ quan chỉ được xem số liệu của chính mình"


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
        return build_discipline_report(uow.conn, period, now, rules.calendar, scoring, scope)


def read_overdue_report(uow: UnitOfWork, principal: Principal, now: datetime, rules: Rules,
                        wanted: OverdueFilter) -> dict:
    """List overdue work with filters, and the backlog per agency and process, as of now."""
    scope = report_scope(principal)
    if scope and wanted.agency not in (None, scope):
        raise Forbidden(OWN_ROWS_ONLY)
    agency = scope or wanted.agency
    chosen = OverdueFilter(agency, wanted.process, wanted.person, wanted.min_days_late)
    with uow:
        return {"as_of": now.isoformat(), "filter": chosen.__dict__,
                "items": overdue_rows(uow.conn, now, rules.calendar, chosen),
                "backlog": backlog(uow.conn, now, agency)}


def read_bottlenecks(uow: UnitOfWork, principal: Principal, period: Period, rules: Rules,
                     scoring: Scoring) -> dict:
    """Return working time per process step and agency for a period, with the cut target."""
    scope = report_scope(principal)
    with uow:
        rows = bottleneck_rows(uow.conn, period, rules.calendar, scope, scoring.simplification_target)
    return {"period": period.as_dict(), "simplification_target": scoring.simplification_target,
            "rows": rows}
