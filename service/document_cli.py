"""The ``dunghan document`` command: print a dossier's form for an operator, as HTML or PDF."""

import sys
from pathlib import Path

import click

from engine.clock import SystemClock
from engine.errors import DomainError
from engine.identity import SYSTEM
from engine.rules import Rules
from engine.services.documents import dossier_document
from engine.store.uow import UnitOfWorkFactory
from service import documents, settings


@click.command(help="In một mẫu phiếu của hồ sơ TTHC: 01 giấy tiếp nhận và hẹn trả, 02 yêu cầu "
               "bổ sung, 03 từ chối, 04 xin lỗi và hẹn lại, 05 phiếu kiểm soát. Không có --pdf "
               "hoặc --html thì in HTML ra màn hình. Ví dụ: dunghan document BN-SXD-260212-0001 05 "
               "--pdf phieu-05.pdf")
@click.argument("code", metavar="MÃ_HỒ_SƠ")
@click.argument("form", metavar="MẪU", type=click.Choice(["01", "02", "03", "04", "05"]))
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi bản PDF vào tệp này")
@click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi bản HTML vào tệp này")
def document(code: str, form: str, pdf: Path | None, html: Path | None):
    """Print one form of a dossier to a PDF or HTML file, or HTML to standard output."""
    config = settings.from_environment()
    rules = Rules.from_files(config.get("CALENDAR_FILE"), config.get("LADDER_FILE"))
    uow = UnitOfWorkFactory(config["DATABASE_URL"])
    try:
        facts = dossier_document(uow(), SystemClock(), SYSTEM, code.strip().upper(), form, rules)
    except DomainError as err:
        raise click.ClickException(err.detail) from err
    place = config.get("DOCUMENT_PLACE", documents.DEFAULT_PLACE)

    def render(fmt: str) -> bytes:
        return documents.render(facts, fmt, rules.calendar.tz, config["SECRET_KEY"], place)

    if html is not None:
        html.write_bytes(render("html"))
        click.echo(f"Đã ghi mẫu {form} của hồ sơ {facts['code']} (HTML) vào {html}")
    if pdf is not None:
        try:
            pdf.write_bytes(render("pdf"))
        except documents.PdfUnavailable as err:
            raise click.ClickException(f"Cần cài gói hệ thống {err.package} để xuất PDF") from err
        click.echo(f"Đã ghi mẫu {form} của hồ sơ {facts['code']} (PDF) vào {pdf}")
    if html is None and pdf is None:
        sys.stdout.buffer.write(render("html"))
