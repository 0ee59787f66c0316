"""The ``dunghan report`` command, and the monthly publication job the workers run."""

import json
import os
import sys
from pathlib import Path

import click

from engine.clock import SystemClock
from engine.errors import DomainError
from engine.identity import SYSTEM
from engine.reports.period import parse_month
from engine.reports.scoring import Scoring
from engine.rules import Rules
from engine.services import reports
from engine.store.uow import UnitOfWorkFactory
from service import exports, settings


def publication_handlers(app) -> dict:
    """Queue this month's publication if it is not queued yet; return the ``report`` handler."""
    rt = app.extensions["dunghan"]
    reports.schedule_publication(rt.uow(), rt.clock, rt.rules)
    return reports.handlers(rt.rules, scoring_of(app.config))


def scoring_of(config) -> Scoring:
    """Read the scoring file named by SCORING_FILE or DUNGHAN_SCORING_FILE, else the default."""
    return Scoring.from_file(config.get("SCORING_FILE") or os.environ.get("DUNGHAN_SCORING_FILE"))


@click.command(help="Lập báo cáo kỷ luật, kỷ cương hành chính của một tháng (YYYY-MM), "
               "hoặc lấy một bản đã công bố (--revision). Ví dụ: "
               "dunghan report 2026-11 --format xlsx -o t11.xlsx")
@click.argument("month")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "csv", "pdf"]), default="json",
              help="Định dạng: json, xlsx, csv hoặc pdf")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp ghi ra (mặc định: in ra màn hình, chỉ với json và csv)")
@click.option("--section", default="ranking", help="Mục xuất ra CSV (mặc định ranking)")
@click.option("--revision", type=click.IntRange(1), help="Lấy bản đã công bố thay vì tính lại")
def report(month: str, fmt: str, output: Path | None, section: str, revision: int | None):
    """Build the discipline report of a month (YYYY-MM), or read a published revision."""
    config = settings.from_environment()
    rules = Rules.from_files(config.get("CALENDAR_FILE"), config.get("LADDER_FILE"))
    uow = UnitOfWorkFactory(config["DATABASE_URL"])
    if output is None and fmt in ("xlsx", "pdf"):
        raise click.UsageError("Tệp xlsx và pdf cần tùy chọn -o TỆP")
    try:
        period = parse_month(month, rules.calendar.tz)
        content = (reports.read_published(uow(), SYSTEM, period.label, revision) if revision else
                   reports.read_discipline_report(uow(), SYSTEM, period, SystemClock().now(), rules,
                                                  scoring_of(config)))
    except DomainError as err:
        raise click.ClickException(err.detail) from err
    try:
        body = (json.dumps(content, ensure_ascii=False, indent=2).encode() if fmt == "json"
                else exports.render(content, fmt, section, rules.calendar.tz))
    except exports.PdfUnavailable as err:
        raise click.ClickException(f"Cần cài gói hệ thống {err.package} để xuất PDF") from err
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    click.echo(f"Đã ghi báo cáo kỳ {period.label} ({fmt}) vào {output}")
