import datetime

import pytest

from opendtm.core.errors import ApplicationError
from opendtm.geo.importers.areas import read_area_file
from tests.factories import square
from tests.geo.conftest import csv_bytes, feature, geojson, xlsx_bytes

LGA_ROWS = [
    ["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name", "adm2_alt"],
    ["NGA008", "Borno", "NGA008021", "Maiduguri", "Yerwa"],
    ["NG008", "Borno", "NG008013", "Jere", ""],
]


def summary(source):
    return [(r.level, r.pcode, r.name, r.parent_pcode, r.alt_names) for r in source.records]


@pytest.fixture
def expected():
    return [
        (1, "NG008", "Borno", "", []),
        (2, "NG008021", "Maiduguri", "NG008", ["Yerwa"]),
        (1, "NG008", "Borno", "", []),
        (2, "NG008013", "Jere", "NG008", []),
    ]


def test_a_csv_gives_a_record_per_level_with_iso_prefixes_normalised(operation, expected):
    source = read_area_file("lgas.csv", csv_bytes(LGA_ROWS), operation)
    assert source.source == "lgas.csv"
    assert summary(source) == expected
    assert source.records[1].where == "lgas.csv, row 2"
    assert source.problems == []


def test_an_xlsx_reads_like_the_csv(operation, expected):
    source = read_area_file("lgas.xlsx", xlsx_bytes(LGA_ROWS, title="LGAs"), operation)
    assert source.source == "lgas.xlsx, sheet 'LGAs'"
    assert summary(source) == expected


def test_an_operation_with_iso3_pcodes_gets_iso3_pcodes(operation, expected):
    operation.pcode_style = "iso3"
    source = read_area_file("lgas.csv", csv_bytes(LGA_ROWS), operation)
    assert [record.pcode for record in source.records] == [
        "NGA008",
        "NGA008021",
        "NGA008",
        "NGA008013",
    ]


def test_a_geojson_gives_the_deepest_level_its_shape(operation):
    data = geojson(
        feature(
            {"admin1Pcod": "NG008", "admin1Name": "Borno", "validOn": "2016/12/15"},
            square(12, 10, 3),
        ),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    )
    source = read_area_file("states.geojson", data, operation)
    (record,) = source.records
    assert record.where == "states.geojson, feature 1"
    assert record.geometry.geom_type == "Polygon"
    assert record.geometry.bounds == (12, 10, 15, 13)
    assert record.valid_on == datetime.date(2016, 12, 15)


def test_a_bow_tie_is_repaired_into_two_triangles_when_asked(operation):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    data = geojson(feature({"adm1_pcode": "NG001", "adm1_name": "Abia"}, bow_tie))
    assert read_area_file("states.geojson", data, operation).problems
    source = read_area_file("states.geojson", data, operation, repair=True)
    assert source.problems == []
    geometry = source.records[0].geometry
    assert geometry.is_valid
    assert geometry.geom_type == "MultiPolygon"
    assert geometry.area == pytest.approx(2.0)


def test_a_level_0_without_a_name_is_named_after_the_country(operation):
    data = csv_bytes([["adm0_pcode", "adm1_pcode", "adm1_name"], ["NGA", "NG001", "Abia"]])
    records = read_area_file("states.csv", data, operation).records
    assert [(r.level, r.pcode, r.name, r.parent_pcode) for r in records] == [
        (0, "NG", "Nigeria", ""),
        (1, "NG001", "Abia", "NG"),
    ]


def test_a_columns_spec_is_used(operation):
    data = csv_bytes([["CODE", "STATE"], ["NG001", "Abia"]])
    source = read_area_file(
        "states.csv", data, operation, columns="adm1_pcode=CODE,adm1_name=STATE"
    )
    assert summary(source) == [(1, "NG001", "Abia", "", [])]


def test_a_file_with_only_a_header_has_no_areas(operation):
    with pytest.raises(ApplicationError) as caught:
        read_area_file("states.csv", b"adm1_pcode,adm1_name\n", operation)
    assert caught.value.message == "states.csv has no areas in it."


def test_row_problems_are_collected_not_raised(operation):
    data = csv_bytes(
        [
            ["adm1_pcode", "adm1_name", "valid_on"],
            ["", "Abia", ""],
            ["XX002", "Adamawa", ""],
            ["NG003", "", ""],
            ["NG004", "Anambra", "15/12/2016"],
            ["NG005", "Bauchi", "2016-12-15"],
        ]
    )
    source = read_area_file("states.csv", data, operation)
    assert [str(problem) for problem in source.problems] == [
        "states.csv, row 2, 'adm1_pcode': the admin 1 p-code is empty. Fill in the p-code.",
        "states.csv, row 3, 'adm1_pcode': 'XX002' is not a p-code of Nigeria, whose p-codes "
        "start with NG or NGA.",
        "states.csv, row 4, 'adm1_name': NG003 has no name. Fill in the area's name.",
        "states.csv, row 5, 'valid_on': '15/12/2016' is not a date. Write dates as YYYY-MM-DD.",
    ]
    assert [record.pcode for record in source.records] == ["NG004", "NG005"]


def test_json_nested_too_deeply_is_refused_not_crashed(operation):
    with pytest.raises(ApplicationError) as caught:
        read_area_file("deep.geojson", b"[" * 100_000 + b"]" * 100_000, operation)
    assert caught.value.message == "deep.geojson nests its JSON too deeply to be GeoJSON."


def test_a_malformed_crs_member_is_ignored(operation):
    data = geojson(
        feature({"adm1_pcode": "NG001", "adm1_name": "Abia"}, square(7, 5)), crs="EPSG:4326"
    )
    assert read_area_file("states.geojson", data, operation).records[0].pcode == "NG001"
