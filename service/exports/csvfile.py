"""Write one section of the report as CSV (UTF-8 with BOM, so Excel reads the diacritics)."""

import csv
from io import StringIO

from engine.errors import Invalid
from service.exports.tables import tables


def section_names(report: dict) -> list[str]:
    return [t.name for t in tables(report)]


def to_csv(report: dict, section: str = "ranking") -> bytes:
    """Return one table as CSV: Vietnamese headings, then raw figures (rates as fractions)."""
    found = {t.name: t for t in tables(report)}
    if section not in found:
        raise Invalid(f"Không có mục {section!r}; chọn một trong: {', '.join(found)}",
                      {"section": "Không hợp lệ"})
    table, out = found[section], StringIO()
    writer = csv.writer(out)
    writer.writerow([c.heading for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if row.get(c.field) is None else row.get(c.field) for c in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
