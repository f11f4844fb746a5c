import pytest

from opendtm.core.errors import ApplicationError
from opendtm.core.tables import Row, Table
from opendtm.geo.importers.sites import detect_site_columns, read_site_row
from opendtm.geo.models import Site


def table(*headers: str) -> Table:
    return Table(source="sites.csv", headers=list(headers))


def test_common_column_names_are_recognised():
    found = detect_site_columns(
        table("SSID", "Site Name", "Site Type", "GPS Latitude", "GPS Longitude", "Status", "Alias")
    )
    assert found.columns == {
        "code": "SSID",
        "name": "Site Name",
        "site_type": "Site Type",
        "latitude": "GPS Latitude",
        "longitude": "GPS Longitude",
        "status": "Status",
        "aliases": "Alias",
    }
    assert found.area_level is None


def test_levelled_area_columns_give_the_deepest_as_area_and_the_next_as_parent():
    found = detect_site_columns(table("site_code", "site_name", "ADM1_EN", "ADM2_EN"))
    assert found.columns["area_name"] == "ADM2_EN"
    assert found.columns["parent"] == "ADM1_EN"
    assert found.area_level == 2


def test_a_spec_overrides_and_completes_the_detection():
    found = detect_site_columns(table("Code", "Nom", "LGA", "lat", "lon"), "name=Nom,area_name=LGA")
    assert found.columns["code"] == "Code"
    assert found.columns["name"] == "Nom"
    assert found.columns["area_name"] == "LGA"
    assert found.columns["latitude"] == "lat"


def test_a_spec_with_an_unknown_key_names_the_key():
    with pytest.raises(ApplicationError) as caught:
        detect_site_columns(table("code", "name"), "lga=name")
    assert "'lga' in the column mapping 'lga=name' is not a site column key" in str(caught.value)
    assert "area_name" in caught.value.hint


def test_a_spec_with_an_absent_column_lists_the_columns():
    with pytest.raises(ApplicationError) as caught:
        detect_site_columns(table("code", "name"), "area_name=LGA")
    assert caught.value.message == (
        "sites.csv has no column 'LGA' (in the column mapping 'area_name=LGA')."
    )
    assert caught.value.hint == "Its columns are: code, name."


def test_a_file_without_code_or_name_columns_is_refused():
    with pytest.raises(ApplicationError) as caught:
        detect_site_columns(table("id_site", "label", "lat"))
    assert "sites.csv has no column for the site 'code', 'name'" in caught.value.message
    assert "Its columns are: id_site, label, lat" in caught.value.message


def read(**values: str):
    headers = ["code", "name", "type", "status", "latitude", "longitude", "aliases"]
    columns = detect_site_columns(table(*headers))
    problems = []
    row = Row(number=7, values={"code": "S1", "name": "Dalori", **values})
    return read_site_row(row, columns, "sites.csv, row 7", problems), problems


@pytest.mark.parametrize(
    ("given", "site_type"),
    [
        ("", Site.Type.OTHER),
        ("Camp", Site.Type.CAMP),
        ("Collective Center", Site.Type.COLLECTIVE_CENTRE),
        ("self-settled camp", Site.Type.INFORMAL_SETTLEMENT),
        ("Host Community", Site.Type.HOST_COMMUNITY),
        ("transit_centre", Site.Type.TRANSIT_CENTRE),
    ],
)
def test_site_types_are_read_in_their_usual_spellings(given, site_type):
    site, problems = read(type=given)
    assert problems == []
    assert site.site_type == site_type


@pytest.mark.parametrize(
    ("given", "status"), [("", "open"), ("Active", "open"), ("CLOSED", "closed")]
)
def test_statuses_are_read(given, status):
    assert read(status=given)[0].status == status


def test_a_bad_type_and_a_bad_status_are_both_reported():
    site, problems = read(type="hotel", status="maybe")
    assert (site.site_type, site.status) == ("", "")
    assert [(p.where, p.field) for p in problems] == [
        ("sites.csv, row 7", "type"),
        ("sites.csv, row 7", "status"),
    ]
    assert "'hotel' is not a site type" in problems[0].message
    assert "camp, collective_centre" in problems[0].hint
    assert "'maybe' is not a status" in problems[1].message


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("11.8464", "13.1571", (11.8464, 13.1571)),
        ("11,8464", "13,1571", (11.8464, 13.1571)),
        (" -1.5 ", "36.1234567", (-1.5, 36.123457)),
        ("", "", (None, None)),
    ],
)
def test_coordinates_are_read_in_decimal_degrees(latitude, longitude, expected):
    site, problems = read(latitude=latitude, longitude=longitude)
    assert problems == []
    assert (site.latitude, site.longitude) == expected


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("11.84", "", "only one of latitude and longitude is given"),
        ("", "13.15", "only one of latitude and longitude is given"),
        ("131.57", "11.84", "latitude 131.57 / longitude 11.84 is not a place on Earth"),
        ("11.84", "213.15", "latitude 11.84 / longitude 213.15 is not a place on Earth"),
        ("0", "0", "0, 0 is a placeholder, not a site location"),
        ("11°50'N", "13.15", "the coordinates '11°50'N', '13.15' are not numbers"),
        ("nan", "13.15", "the coordinates 'nan', '13.15' are not numbers"),
        ("11.84", "inf", "the coordinates '11.84', 'inf' are not numbers"),
    ],
)
def test_bad_coordinates_are_problems_of_the_row_and_columns(latitude, longitude, message):
    site, problems = read(latitude=latitude, longitude=longitude)
    assert (site.latitude, site.longitude) == (None, None)
    (problem,) = problems
    assert problem.message == message
    assert (problem.where, problem.field) == ("sites.csv, row 7", "latitude/longitude")


def test_aliases_are_split_on_semicolons_and_bars():
    site, _problems = read(aliases="Dalori 1; Dalori IDP camp | دالوري ;")
    assert site.aliases == ["Dalori 1", "Dalori IDP camp", "دالوري"]


def test_an_empty_code_and_name_are_reported():
    columns = detect_site_columns(table("code", "name"))
    problems = []
    row = Row(number=3, values={"code": "", "name": " "})
    assert read_site_row(row, columns, "sites.csv, row 3", problems).code == ""
    assert [p.field for p in problems] == ["code", "name"]


def test_a_pcode_of_the_level_above_scopes_the_name_rather_than_placing_the_site():
    found = detect_site_columns(table("site_code", "site_name", "adm1_pcode", "adm2_name"))
    assert "pcode" not in found.columns
    assert found.columns["area_name"] == "adm2_name"
    assert found.columns["parent"] == "adm1_pcode"
    assert found.area_level == 2


def test_a_spec_naming_a_levelled_area_column_sets_its_level():
    found = detect_site_columns(table("code", "name", "ADM1_EN", "LGA"), "area_name=LGA")
    assert (found.columns["area_name"], found.area_level) == ("LGA", None)
    found = detect_site_columns(table("code", "name", "ADM2_EN", "State"), "area_name=ADM2_EN")
    assert found.area_level == 2
