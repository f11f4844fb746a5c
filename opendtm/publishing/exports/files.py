"""Writing a file: the header, the HXL tag row directly under it, then the rows as they come.

Every text cell goes through core.csv_export (formulas neutralised), in XLSX too, where
XlsxWriter's own formula and link detection is off as well. An XLSX file has a second sheet of
notes (what the file holds, what was blanked and why); a CSV file says it in its rows, in the
column of blanked figures. Rows stream to the file, so memory stays flat however many.
"""

import io
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from opendtm.collection.exports.writers import xlsx_cell
from opendtm.core.csv_export import csv_lines
from opendtm.publishing.exports.columns import Column

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def write_file(
    target: IO[bytes],
    format: str,
    columns: list[Column],
    rows: Iterable[list[Any]],
    notes: Sequence[str] = (),
) -> None:
    header = [column.header for column in columns]
    tags = [column.tag for column in columns]
    if format == "xlsx":
        write_xlsx(target, header, tags, rows, notes)
    else:
        write_rows(target, header, chain([tags], rows))


def write_rows(target: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> None:
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    try:
        text.writelines(csv_lines(header, rows))  # None is written as an empty cell
    finally:
        text.detach()  # the caller owns the target


def write_xlsx(
    target: IO[bytes],
    header: list[str],
    tags: list[str],
    rows: Iterable[list[Any]],
    notes: Sequence[str],
) -> None:
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    data = workbook.add_worksheet(_("Data"))
    data.write_row(0, 0, [xlsx_cell(value) for value in header])
    data.write_row(1, 0, [xlsx_cell(value) for value in tags])
    for number, row in enumerate(rows, start=2):
        data.write_row(number, 0, [xlsx_cell(value) for value in row])
    sheet = workbook.add_worksheet(_("Notes"))
    for number, note in enumerate(notes):
        sheet.write_string(number, 0, xlsx_cell(note))
    workbook.close()
