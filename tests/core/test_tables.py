import datetime
import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from opendtm.core.errors import ApplicationError
from opendtm.core.tables import cell_text, read_table


def xlsx(rows, title="Sites"):
    workbook = Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refusal(name, data) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        read_table(name, data)
    return caught.value


@pytest.fixture(scope="session")
def zip_bomb() -> bytes:
    """An "xlsx" whose sheet expands to 600 MB of zeros from about 3 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = bytes(16 * 1024 * 1024)
            for _ in range(600 // 16 + 1):
                member.write(chunk)
    return out.getvalue()


def test_a_csv_gives_headers_and_rows_numbered_as_in_a_spreadsheet():
    table = read_table("sites.csv", b"code,name\nS1,Dalori\n\nS2, Muna \n")
    assert table.source == "sites.csv"
    assert table.headers == ["code", "name"]
    assert [(row.number, row.values) for row in table.rows] == [
        (2, {"code": "S1", "name": "Dalori"}),
        (4, {"code": "S2", "name": "Muna"}),
    ]


def test_the_utf8_bom_excel_writes_is_not_part_of_the_first_header():
    table = read_table("sites.csv", "\ufeffcode,name\nS1,Ngom\u00e1ri\n".encode())
    assert table.headers == ["code", "name"]
    assert table.rows[0].values["name"] == "Ngom\u00e1ri"


@pytest.mark.parametrize(
    ("text", "latitude"),
    [
        ("code;latitude;longitude\nS1;11,83;13,15\n", "11,83"),
        ('code,latitude,longitude\nS1,"11,83",13.15\n', "11,83"),
        ("code\tlatitude\tlongitude\nS1\t11.83\t13.15\n", "11.83"),
    ],
    ids=["semicolon", "comma-quoted", "tab"],
)
def test_the_separator_is_the_one_the_header_uses(text, latitude):
    table = read_table("sites.csv", text.encode())
    assert table.headers == ["code", "latitude", "longitude"]
    assert table.rows[0].values["latitude"] == latitude


def test_a_single_column_file_is_read():
    assert read_table("codes.csv", b"pcode\nNG001\n").rows[0].values == {"pcode": "NG001"}


def test_values_outside_the_named_columns_are_reported_row_by_row():
    error = refusal(
        "sites.csv", b"code,latitude,longitude\nS1,11,83,13,15\nS2,11.9,13.2\nS3,1,2,3\n"
    )
    assert "sites.csv" in error.message
    assert [problem.where for problem in error.problems] == ["sites.csv, row 2", "sites.csv, row 4"]
    assert "column 4 '13'" in error.problems[0].message
    assert '"11,83"' in error.problems[0].hint


def test_a_repeated_header_is_refused():
    error = refusal("sites.csv", b"code,name,code\nS1,A,S2\n")
    assert "sites.csv" in error.message
    assert "code" in error.message


def test_a_file_without_a_header_row_is_refused():
    assert "no header row" in refusal("sites.csv", b",,\nS1,A,B\n").message


def test_a_windows_1252_csv_is_refused_with_the_byte_line_and_a_fix():
    data = "code,name\nS1,Camp\nS2,Ngom\u00e1ri\n".encode("cp1252")
    error = refusal("sites.csv", data)
    assert "sites.csv is not UTF-8" in error.message
    assert "0xe1" in error.message
    assert "line 3" in error.message
    assert "CSV UTF-8" in error.hint


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"], ids=["empty", "blank", "bom"])
def test_an_empty_file_is_refused(data):
    assert refusal("sites.csv", data).message == "sites.csv is empty."


def test_an_empty_xlsx_is_called_empty_not_broken():
    assert refusal("sites.xlsx", b"").message == "sites.xlsx is empty."


def test_an_old_xls_workbook_is_refused_with_how_to_convert_it():
    error = refusal("sites.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert "sites.xls is an old Excel 97-2003 workbook" in error.message
    assert ".xlsx" in error.hint


def test_an_unknown_file_type_is_refused():
    error = refusal("sites.pdf", b"%PDF-1.4")
    assert "sites.pdf" in error.message
    assert "'.pdf'" in error.message


def test_a_file_over_the_limit_is_refused_by_its_size(settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 1024 * 1024
    error = refusal("sites.csv", b"code,name\n" + b"S1,A\n" * 300_000)
    assert error.message == "sites.csv is 1.4 MB; the upload limit is 1.0 MB."
    assert "OPENDTM_MAX_UPLOAD_MB" in error.hint


def test_the_size_is_checked_before_the_content_is_parsed():
    # 200 MB of spaces would otherwise be reported as an empty file, after a full decode.
    error = refusal("huge.csv", b" " * (200 * 1024 * 1024))
    assert error.message.startswith("huge.csv is 200.0 MB; the upload limit is 50.0 MB")


def test_an_xlsx_gives_its_first_sheet_with_numbers_typed_as_codes():
    data = xlsx([["code", "pcode", "latitude", "opened"], ["S1", 8021, 11.83, None]])
    table = read_table("sites.xlsx", data)
    assert table.source == "sites.xlsx, sheet 'Sites'"
    assert table.rows[0].values == {
        "code": "S1",
        "pcode": "8021",
        "latitude": "11.83",
        "opened": "",
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (8001.0, "8001"), (11.5, "11.5"), (" Jere ", "Jere"), (7, "7")],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_cell_text_of_a_date_starts_with_the_iso_date():
    assert cell_text(datetime.date(2019, 4, 17)).startswith("2019-04-17")


def test_a_csv_renamed_to_xlsx_is_refused():
    error = refusal("sites.xlsx", b"code,name\nS1,A\n")
    assert "sites.xlsx is not an XLSX workbook" in error.message
    assert "CSV UTF-8" in error.hint


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "is not an XLSX workbook" in refusal("sites.xlsx", out.getvalue()).message


def test_a_broken_workbook_is_refused_with_the_reason():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    error = refusal("sites.xlsx", out.getvalue())
    assert "sites.xlsx is not a readable XLSX workbook" in error.message


def test_a_zip_bomb_named_xlsx_is_refused_without_being_expanded(zip_bomb, monkeypatch):
    def expand(*args, **kwargs):
        raise AssertionError("the archive was expanded")

    monkeypatch.setattr(zipfile.ZipExtFile, "read", expand)
    started = time.monotonic()
    error = refusal("sites.xlsx", zip_bomb)
    assert time.monotonic() - started < 1
    assert "sites.xlsx was refused: it would expand to 608.0 MB" in error.message
    assert "xl/worksheets/sheet1.xml" in error.message
    assert "ZIP bombs" in error.message


def test_a_highly_compressed_member_is_refused_even_below_the_total_limit():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(50 * 1024 * 1024))
    assert "ZIP bombs" in refusal("sites.xlsx", out.getvalue()).message
