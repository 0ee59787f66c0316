"""Write the report as an XLSX workbook: one sheet per section, numbers stored as numbers."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from service.exports.tables import Kind, tables

NUMBER_FORMATS = {Kind.COUNT: "#,##0", Kind.RATE: "0.0%", Kind.SCORE: "0.00", Kind.HOURS: "0.0",
                  Kind.TEXT: "@"}
SHEET_TITLE_LIMIT = 31  # Excel refuses longer sheet names


def to_xlsx(report: dict) -> bytes:
    """Return the workbook's bytes; the first row of each sheet names the report and period."""
    book = Workbook()
    book.remove(book.active)
    for table in tables(report):
        sheet = book.create_sheet(table.title[:SHEET_TITLE_LIMIT])
        sheet.append([f"{table.title} – kỳ {report['period']['label']}"])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([c.heading for c in table.columns])
        for cell in sheet[2]:
            cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_cell(row.get(c.field)) for c in table.columns])
            for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
                cell.number_format = NUMBER_FORMATS[column.kind]
        for i, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = 32 if column.kind == Kind.TEXT else 14
        sheet.freeze_panes = "A3"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value):
    # Names typed through the API may hold control characters that an XLSX cell cannot store.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
