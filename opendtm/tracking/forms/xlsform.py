"""The shipped XLSForms as data: sheets of rows, written to .xlsx and read back.

A row is a dict from column name to text. `question` builds a survey row with its English
and French texts; `workbook_bytes` writes the sheets with openpyxl, with fixed document
properties, and `workbook_sheets` reads any .xlsx back into the same shape (empty cells
left out) so a test can compare the committed files with what the builder makes. Entries of the
archive are dated too: building twice gives the same bytes.
"""

import datetime
import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook

EN, FR = "English (en)", "French (fr)"
Row = dict[str, str]
Sheets = dict[str, list[Row]]
Texts = tuple[str, str]  # English, French

TRANSLATED = ("label", "hint", "constraint_message")
SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{EN}",
    f"label::{FR}",
    f"hint::{EN}",
    f"hint::{FR}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{EN}",
    f"constraint_message::{FR}",
    "calculation",
    "choice_filter",
    "appearance",
    "indicator",
    "indicator_sex",
    "indicator_age",
    "indicator_value",
]
CHOICES_COLUMNS = ["list_name", "name", f"label::{EN}", f"label::{FR}"]
# Saved in the file so that building twice gives the same document properties.
BUILT = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC).replace(tzinfo=None)
MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*<")


def question(kind: str, name: str, label: Texts = ("", ""), **columns: Any) -> Row:
    """A survey row. hint= and constraint_message= take (English, French); others text."""
    row = {"type": kind, "name": name}
    for key, value in {"label": label, **columns}.items():
        if key in TRANSLATED:
            english, french = value
            row[f"{key}::{EN}"], row[f"{key}::{FR}"] = english, french
        else:
            row[key] = str(value)
    return {key: value for key, value in row.items() if value}


def group(name: str, label: Texts, rows: list[Row], **columns: Any) -> list[Row]:
    return [question("begin_group", name, label, **columns), *rows, {"type": "end_group"}]


def choices(list_name: str, items: list[tuple[str, str, str]]) -> list[Row]:
    """A choice list from (name, English, French) triples."""
    return [
        {"list_name": list_name, "name": name, f"label::{EN}": english, f"label::{FR}": french}
        for name, english, french in items
    ]


def workbook_bytes(sheets: Sheets, columns: dict[str, list[str]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        header = columns[title]
        unknown = {key for row in rows for key in row} - set(header)
        if unknown:
            raise ValueError(f"{title}: columns {sorted(unknown)} are not in the header")
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(column, "") or None for column in header])
        sheet.freeze_panes = "A2"
    book.properties.creator = "opendtm"
    book.properties.created = book.properties.modified = BUILT
    output = io.BytesIO()
    book.save(output)
    return fixed_dates(output.getvalue())


def fixed_dates(data: bytes) -> bytes:
    """The same archive with every entry dated BUILT, so that a rebuild is byte for byte equal."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=BUILT.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = MODIFIED.sub(rf"\g<1>{BUILT.isoformat()}Z<", content.decode()).encode()
            target.writestr(fixed, content)
    return output.getvalue()


def workbook_sheets(data: bytes) -> Sheets:
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheets: Sheets = {}
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell) for cell in next(rows, ())]
        sheets[sheet.title] = [
            {name: str(cell) for name, cell in zip(header, values, strict=False) if cell}
            for values in rows
        ]
    return sheets
