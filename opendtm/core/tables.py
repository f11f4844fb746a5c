"""Reading uploaded spreadsheets (CSV, XLSX) safely, with row numbers users can find.

Every refusal names the file and says how to fix it. Size, encoding and ZIP-bomb checks run
before any parser sees the content. Row numbers are the spreadsheet's own: the header is
row 1, so the first data row is row 2.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings

from opendtm.core.errors import ApplicationError

# An XLSX is a ZIP of XML parts. Real workbooks expand a few times over; a bomb expands
# thousands of times. These limits admit any honest sheet of the maximum upload size.
MAX_XLSX_EXPANDED_BYTES = 500 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_XLSX_PARTS = 5000


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]


@dataclass
class Table:
    source: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


def format_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_upload_size(name: str, size: int) -> None:
    limit = settings.OPENDTM_MAX_UPLOAD_BYTES
    if size > limit:
        raise ApplicationError(
            f"{name} is {format_size(size)}; the upload limit is {format_size(limit)}.",
            hint="Split the file (for example one admin level or one region per file), "
            "or raise OPENDTM_MAX_UPLOAD_MB on the server.",
        )


def read_table(name: str, data: bytes) -> Table:
    check_upload_size(name, len(data))
    suffix = PurePath(name).suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        return read_csv(name, data)
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(name, data)
    if suffix == ".xls":
        raise ApplicationError(
            f"{name} is an old Excel 97-2003 workbook (.xls).",
            hint="Open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8.",
        )
    raise ApplicationError(
        f"{name}: files of type '{suffix or 'without extension'}' cannot be read here.",
        hint="Upload a CSV (UTF-8) or an XLSX workbook.",
    )


def decode_utf8(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ApplicationError(
            f"{name} is not UTF-8 text: byte 0x{data[error.start]:02x} on line {line} "
            "cannot be read.",
            hint="In Excel choose 'Save As' > 'CSV UTF-8', or convert the file, for example "
            f"with: iconv -f WINDOWS-1252 -t UTF-8 {name} > fixed.csv",
        ) from None


def read_csv(name: str, data: bytes) -> Table:
    text = decode_utf8(name, data)
    if not text.strip():
        raise ApplicationError(f"{name} is empty.", hint="Export the sheet again with its rows.")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:8192], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = list(reader)
    return table_from_rows(name, rows)


def read_xlsx(name: str, data: bytes) -> Table:
    check_xlsx_archive(name, data)
    from openpyxl import load_workbook  # parses through defusedxml when it is installed

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise ApplicationError(
            f"{name} is not a readable XLSX workbook ({error.__class__.__name__}: {error}).",
            hint="Open it in Excel or LibreOffice, save it again as .xlsx, and retry.",
        ) from None
    sheet = workbook.worksheets[0]
    rows = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return table_from_rows(f"{name}, sheet '{sheet.title}'", rows)


def check_xlsx_archive(name: str, data: bytes) -> None:
    not_xlsx = ApplicationError(
        f"{name} is not an XLSX workbook: its content is not the ZIP archive an .xlsx is.",
        hint="Save the sheet from Excel or LibreOffice as .xlsx, or upload it as CSV UTF-8.",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise not_xlsx from None
    with archive:
        parts = archive.infolist()
        if "[Content_Types].xml" not in {part.filename for part in parts}:
            raise not_xlsx
        expanded = sum(part.file_size for part in parts)
        worst = max(parts, key=lambda part: part.file_size / max(part.compress_size, 1))
        ratio = worst.file_size / max(worst.compress_size, 1)
        if (
            len(parts) > MAX_XLSX_PARTS
            or expanded > MAX_XLSX_EXPANDED_BYTES
            or (ratio > MAX_XLSX_RATIO and worst.file_size > 10 * 1024 * 1024)
        ):
            raise ApplicationError(
                f"{name} was refused: it would expand to {format_size(expanded)} "
                f"({worst.filename} is compressed {ratio:.0f} times), which is how ZIP bombs "
                "look, not spreadsheets.",
                hint="If this is a real workbook, export it as CSV UTF-8 and upload that.",
            )


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed as numbers in Excel come back as 8001.0
    return str(value).strip()


def table_from_rows(source: str, rows: list[list[str]]) -> Table:
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ApplicationError(
            f"{source} has no header row.",
            hint="Put the column names in the first row.",
        )
    headers = [cell.strip() for cell in rows[0]]
    duplicated = sorted({header for header in headers if header and headers.count(header) > 1})
    if duplicated:
        raise ApplicationError(
            f"{source}: the header repeats the column(s) {', '.join(duplicated)}.",
            hint="Give every column a distinct name.",
        )
    table = Table(source=source, headers=headers)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            header: (cells[index].strip() if index < len(cells) else "")
            for index, header in enumerate(headers)
            if header
        }
        table.rows.append(Row(number=number, values=values))
    return table
