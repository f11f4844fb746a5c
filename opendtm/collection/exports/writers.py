"""Writing export rows to files as they come, in constant memory.

CSV: each table is written to its own temporary file (a ZIP archive can only take one
member at a time, and a submission's rows go to several tables), then the files are
copied into the ZIP. XLSX: XlsxWriter in constant-memory mode, one sheet per table, each
streamed to its own temporary file (it writes about twice as fast as openpyxl).

Every text cell goes through core.csv_export.neutralise, in XLSX too; XlsxWriter's own
formula and URL detection is also turned off, so a cell is never a formula or a link.
"""

import csv
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Protocol

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from opendtm.collection.exports.layout import Table
from opendtm.core.csv_export import neutralise

XLSX_MAX_ROWS = 1_048_576
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class RowWriter(Protocol):
    def write(self, table: Table, row: list[Any]) -> None: ...

    def close(self, target: Path) -> None: ...


def cell(value: Any) -> Any:
    if value is None:
        return ""
    return neutralise(value)


class CsvZipWriter:
    """A ZIP with one CSV per table, named after the table; UTF-8 with a BOM for Excel."""

    def __init__(self, tables: list[Table]) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="opendtm-export-")
        self.files: dict[str, Any] = {}
        self.writers: dict[str, Any] = {}
        for table in tables:
            handle = open(  # noqa: SIM115 - closed in close()
                Path(self.folder.name) / f"{len(self.files)}.csv", "w", newline="", encoding="utf-8"
            )
            handle.write("\ufeff")
            writer = csv.writer(handle)
            writer.writerow([cell(header) for header in table.headers])
            self.files[table.name] = handle
            self.writers[table.name] = writer

    def write(self, table: Table, row: list[Any]) -> None:
        self.writers[table.name].writerow([cell(value) for value in row])

    def close(self, target: Path) -> None:
        try:
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, handle in self.files.items():
                    handle.close()
                    archive.write(handle.name, arcname=f"{name}.csv")
        finally:
            self.folder.cleanup()


def sheet_title(name: str, taken: set[str]) -> str:
    base = SHEET_NAME_FORBIDDEN.sub("_", name)[:31] or "sheet"
    title, number = base, 1
    while title.lower() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def xlsx_cell(value: Any) -> Any:
    value = cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class XlsxWriter:
    """A workbook with one sheet per table, streamed; a full sheet continues on another."""

    def __init__(self, tables: list[Table]) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="opendtm-export-")
        self.path = Path(self.folder.name) / "export.xlsx"
        self.workbook = xlsxwriter.Workbook(
            str(self.path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "tmpdir": self.folder.name,
            },
        )
        self.taken: set[str] = set()
        self.sheets: dict[str, Any] = {}
        self.rows: dict[str, int] = {}
        self.headers: dict[str, list[Any]] = {}
        for table in tables:
            self.headers[table.name] = [xlsx_cell(header) for header in table.headers]
            self.start_sheet(table)

    def start_sheet(self, table: Table) -> None:
        sheet = self.workbook.add_worksheet(sheet_title(table.name, self.taken))
        sheet.write_row(0, 0, self.headers[table.name])
        self.sheets[table.name] = sheet
        self.rows[table.name] = 1

    def write(self, table: Table, row: list[Any]) -> None:
        if self.rows[table.name] >= XLSX_MAX_ROWS:
            self.start_sheet(table)
        self.sheets[table.name].write_row(
            self.rows[table.name], 0, [xlsx_cell(value) for value in row]
        )
        self.rows[table.name] += 1

    def close(self, target: Path) -> None:
        try:
            self.workbook.close()
            shutil.move(self.path, target)
        finally:
            self.folder.cleanup()
