"""Render report figures as files: XLSX, CSV and PDF (the engine returns figures, this lays them out)."""

from service.exports.csvfile import to_csv
from service.exports.pdf import PdfUnavailable, to_pdf

MEDIA_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}

__all__ = ["MEDIA_TYPES", "PdfUnavailable", "render", "to_csv", "to_pdf", "to_xlsx"]


def to_xlsx(report: dict) -> bytes:
    """Return the report as an XLSX workbook.

    openpyxl, and the numpy it loads, cost a web process about 25 MB: imported by the first
    workbook asked for, not by every process at start.
    """
    from service.exports.xlsx import to_xlsx as workbook

    return workbook(report)


def render(report: dict, fmt: str, section: str | None = None, tz=None) -> bytes:
    """Return the report's bytes in one of the file formats; PDF shows times in ``tz``."""
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "pdf":
        return to_pdf(report, tz)
    return to_csv(report, section or "ranking")
