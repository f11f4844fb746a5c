"""One round's public files: valid HXL, every number a number, blanked cells empty and listed,
no protection indicator, formulas neutralised."""

import io

import hxl
import openpyxl
import pytest

from opendtm.publishing.exports.columns import file_columns
from opendtm.publishing.exports.files import write_file
from opendtm.publishing.selectors.tables import table
from opendtm.publishing.services.exports import round_cache, round_file, schema_file
from opendtm.tracking.selectors.rounds import published_revision
from tests.publishing.exports.conftest import hxl_report, read_hxl

ADMIN2_TAGS = [
    "#date+reported",
    "#country+code",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#round+code",
    "#assessment+type",
    "#affected+idps+hh",
    "#affected+idps+ind",
    "#affected+idps+f",
    "#affected+idps+m",
    "#affected+idps+f+age0_4",
    "#affected+idps+m+age0_4",
    "#affected+idps+f+age60plus",
    "#need+rank+shelter",
    "#need+rank+food",
    "#meta+suppressed",
]


def rows_by(data, tag):
    return {row.get(tag): row for row in data}


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_admin2_file_is_valid_hxl_with_its_blanked_figures_listed(aged, operation, format):
    found = round_file(round=aged, level="admin2", format=format)
    data = read_hxl(found.path)
    assert data.display_tags == ADMIN2_TAGS  # every tag parsed: none malformed, none skipped
    report = hxl_report(found.path, schema_file(round=aged, level="admin2").path)
    assert report["is_valid"], report["issues"]
    abadam = rows_by(data, "#adm2+code")["NG008001"]
    assert abadam.get("#date+reported") == "2026-01-28"
    assert (abadam.get("#adm1+name"), abadam.get("#adm2+name")) == ("Borno", "Abadam")
    assert int(abadam.get("#affected+idps+ind")) == 50
    # Abadam's 2 women over 60 are below 5: blanked, and the file says which cells are.
    assert abadam.get("#affected+idps+f+age60plus") in ("", None)
    assert "IDP individuals, female, 60+" in abadam.get("#meta+suppressed")
    assert found.filename == f"nga-ne-sa-round-1-admin2.{format}"


def test_protection_indicators_are_never_in_a_public_file(aged):
    for level in ("admin1", "admin2"):
        text = round_file(round=aged, level=level, format="csv").path.read_text()
        assert "#risk" not in text
        assert "Lighting" not in text


def test_xlsx_numbers_are_numbers_and_its_notes_say_what_was_blanked(aged):
    path = round_file(round=aged, level="admin1", format="xlsx").path
    book = openpyxl.load_workbook(path, read_only=True)
    data, notes = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    header, tags, borno = data
    assert tags[header.index("IDP individuals")] == "#affected+idps+ind"
    assert borno[header.index("IDP individuals")] == 250
    assert isinstance(borno[header.index("Round")], int)
    assert "SA round 1" in notes[0][0]
    admin2 = openpyxl.load_workbook(round_file(round=aged, level="admin2", format="xlsx").path)
    assert any("blanked" in (row[0] or "") for row in admin2.worksheets[1].values)


def test_a_site_file_has_the_sites_type_coordinates_and_no_formula(aged, settings):
    settings.OPENDTM_MICRODATA_RISK_LIMIT = 1.0  # two sites can never pass 3%
    path = round_file(round=aged, level="site", format="csv").path
    report = hxl_report(path, schema_file(round=aged, level="site").path)
    assert report["is_valid"], report["issues"]
    sites = rows_by(read_hxl(path), "#loc+code")
    first, second = sites["S1"], sites["S2"]
    assert first.get("#loc+name") == '\'=HYPERLINK("http://x")'  # shown as text, never run
    assert (second.get("#loc+type"), second.get("#geo+lat")) == ("host_community", "10.6")
    assert (first.get("#adm2+code"), first.get("#affected+idps+ind")) == ("NG008001", "50")
    book = openpyxl.load_workbook(round_file(round=aged, level="site", format="xlsx").path)
    header, _tags, *rows = book.worksheets[0].values
    assert rows[0][header.index("Site")] == '\'=HYPERLINK("http://x")'


def test_the_schema_refuses_text_in_a_number_column(aged, tmp_path):
    """The schema can fail: the same columns with a figure written as text do not pass."""
    cache = round_cache(aged)
    columns = file_columns(aged.operation, 2, cache.indicators, cache.revisions)
    found = table(aged, 2)
    rows = [[column.value(found, place) for column in columns] for place in found.places]
    rows[0][[column.tag for column in columns].index("#affected+idps+ind")] = "x50"
    target = tmp_path / "bad.csv"
    with target.open("wb") as handle:
        write_file(handle, "csv", columns, rows)
    report = hxl_report(target, schema_file(round=aged, level="admin2").path)
    assert not report["is_valid"]
    (issue,) = report["issues"]
    assert set(issue["tag_pattern"].split("+")) == {"#affected", "idps", "ind"}
    assert [where["location_value"] for where in issue["locations"]] == ["x50"]


def test_the_files_columns_come_from_the_figures_of_the_revision(aged):
    """No empty column for an indicator nobody collected: returnees are in the catalogue."""
    revision = published_revision(aged)
    columns = file_columns(aged.operation, 1, round_cache(aged).indicators, [revision])
    tags = [column.tag for column in columns]
    assert "#affected+returnees+ind" not in tags
    assert tags.count("#affected+idps+ind") == 1


def test_a_file_written_to_memory_is_the_same_format(aged):
    cache = round_cache(aged)
    columns = file_columns(aged.operation, 1, cache.indicators, cache.revisions)
    buffer = io.BytesIO()
    write_file(buffer, "csv", columns, [])
    header, tags = buffer.getvalue().decode("utf-8-sig").splitlines()
    assert header.startswith("Reporting date,Country ISO3,State p-code,State,Round")
    assert hxl.data([header.split(","), tags.split(",")]).display_tags[0] == "#date+reported"
