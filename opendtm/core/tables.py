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

from opendtm.core.errors import ApplicationError, Problem

# An XLSX is a ZIP of XML parts. Real workbooks expand a few times over; a bomb expands
# thousands of times. These limits admit any honest sheet of the maximum upload size.
MAX_XLSX_EXPANDED_BYTES = 500 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_XLSX_PARTS = 5000
DELIMITERS = (",", ";", "\t")  # on a tie the first wins


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
    check_not_empty(name, data)
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


def check_not_empty(name: str, data: bytes) -> None:
    if not data.strip():
        raise ApplicationError(
            f"{name} is empty.", hint="Export the file again, with its header and rows."
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ApplicationError(
            f"{name}, line {reader.line_num}: the CSV cannot be read ({error}).",
            hint="Open it in a spreadsheet and save it again as CSV UTF-8.",
        ) from None
    return table_from_rows(name, rows)


def delimiter_of(text: str) -> str:
    """The separator the header row uses most: comma, semicolon (European Excel) or tab.

    Decided on the header alone, where names rarely hold separators, so decimal commas
    such as 11,83 in the data cannot mislead it.
    """
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def read_xlsx(name: str, data: bytes) -> Table:
    check_xlsx_archive(name, data)
    from openpyxl import load_workbook  # parses through defusedxml when it is installed

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        rows = list(sheet.iter_rows(values_only=True)) if sheet else []
        workbook.close()
    except Exception as error:  # openpyxl and zipfile raise many kinds for a broken workbook
        raise ApplicationError(
            f"{name} is not a readable XLSX workbook ({error.__class__.__name__}: {error}).",
            hint="Open it in Excel or LibreOffice, save it again as .xlsx, and retry.",
        ) from None
    if sheet is None:
        raise ApplicationError(
            f"{name} has no worksheet.", hint="Put the table on the first sheet of the workbook."
        )
    cells = [[cell_text(value) for value in row] for row in rows]
    return table_from_rows(f"{name}, sheet '{sheet.title}'", cells)


def check_xlsx_archive(name: str, data: bytes) -> None:
    not_xlsx = ApplicationError(
        f"{name} is not an XLSX workbook: its content is not the ZIP archive an .xlsx is.",
        hint="Save the sheet from Excel or LibreOffice as .xlsx, or upload it as CSV UTF-8.",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError):
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
    problems = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if problem := unnamed_values(source, number, headers, cells):
            problems.append(problem)
        values = {
            header: (cells[index].strip() if index < len(cells) else "")
            for index, header in enumerate(headers)
            if header
        }
        table.rows.append(Row(number=number, values=values))
    if problems:
        raise ApplicationError(
            f"{source}: {len(problems)} row(s) have values in columns without a header.",
            hint="Fix every row listed, then upload the file again.",
            problems=problems,
        )
    return table


def unnamed_values(
    source: str, number: int, headers: list[str], cells: list[str]
) -> Problem | None:
    """Values outside the named columns: most often an unquoted comma that shifted the row."""
    stray = [
        (index + 1, cell.strip())
        for index, cell in enumerate(cells)
        if cell.strip() and (index >= len(headers) or not headers[index])
    ]
    if not stray:
        return None
    return Problem(
        "values in column(s) without a header: "
        + ", ".join(f"column {column} '{value}'" for column, value in stray),
        f"{source}, row {number}",
        hint='A value holding the separator must be in quotes, for example "11,83"; '
        "or give the column a header.",
    )
