import datetime
import io
import json
import zipfile

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from opendtm.geo.importers.columns import ColumnsUnclear
from opendtm.geo.models import AdminArea, AdminAreaVersion
from tests.factories import OperationFactory, SiteFactory, square
from tests.geo.conftest import (
    NIGERIA,
    csv_bytes,
    database_unchanged,
    feature,
    geojson,
    import_areas,
    import_nigeria,
    state,
    xlsx_bytes,
)

BOW_TIE = {"type": "Polygon", "coordinates": [[[3, 4], [5, 6], [5, 4], [3, 6], [3, 4]]]}


def refused(operation, actor, name, data, **options) -> ApplicationError:
    """The import is refused and leaves every table as it was."""
    with database_unchanged(), pytest.raises(ApplicationError) as caught:
        import_areas(operation, actor, name, data, **options)
    return caught.value


def messages(error: ApplicationError) -> list[str]:
    return [str(problem) for problem in error.problems]


# The real Nigeria files


def test_the_nigeria_states_give_37_states_under_the_country(operation, admin_user):
    (summary,) = import_nigeria(operation, admin_user, "nga_adm1.geojson")
    assert summary.levels == {
        0: {"created": 1, "updated": 0, "unchanged": 0, "retired": 0},
        1: {"created": 37, "updated": 0, "unchanged": 0, "retired": 0},
    }
    country = AdminArea.objects.get(operation=operation, level=0)
    assert (country.pcode, country.name) == ("NG", "Nigeria")
    assert country.children.count() == 37
    borno = AdminArea.objects.get(pcode="NG008")
    assert borno.name == "Borno"
    assert borno.valid_on == datetime.date(2016, 12, 15)
    assert borno.bbox == pytest.approx((11.533, 10.025, 14.679, 13.714), abs=1e-3)
    assert borno.geometry["type"] == "MultiPolygon"
    assert len(str(borno.geometry_simplified)) < len(str(borno.geometry)) / 3


def test_the_lga_list_then_the_borno_shapes_complete_the_lgas(operation, admin_user):
    _states, lgas, borno = import_nigeria(
        operation, admin_user, "nga_adm1.geojson", "nga_adm2_lgas.csv", "nga_adm2_borno.geojson"
    )
    assert lgas.levels[2]["created"] == 774
    assert lgas.levels[1] == {"created": 0, "updated": 0, "unchanged": 37, "retired": 0}
    assert AdminArea.objects.filter(operation=operation, level=2).count() == 774
    assert borno.levels[2] == {"created": 0, "updated": 27, "unchanged": 0, "retired": 0}
    maiduguri = AdminArea.objects.get(pcode="NG008021")  # NGA008021 in the file
    assert maiduguri.name == "Maiduguri"
    assert maiduguri.parent.pcode == "NG008"
    assert maiduguri.geometry["type"] == "Polygon"
    assert maiduguri.geometry_simplified["type"] == "Polygon"
    assert maiduguri.bbox == pytest.approx((13.060, 11.782, 13.193, 11.925), abs=1e-3)
    assert not AdminArea.objects.filter(pcode__startswith="NGA").exists()
    # A first shape completes an area known by code and name: no former version.
    assert not AdminAreaVersion.objects.exists()


def test_an_unchanged_reimport_changes_nothing(operation, admin_user):
    import_nigeria(operation, admin_user, "nga_adm1.geojson", "nga_adm2_borno.geojson")
    events = AuditEvent.objects.count()
    (summary,) = import_nigeria(operation, admin_user, "nga_adm2_borno.geojson")
    assert summary.created == summary.updated == summary.retired == 0
    assert summary.unchanged == 28
    assert not AdminAreaVersion.objects.exists()
    assert AuditEvent.objects.count() == events + 1  # the import itself


def test_an_iso3_operation_keeps_iso3_pcodes(admin_user, member):
    operation = OperationFactory(slug="nga-iso3", pcode_style="iso3")
    user = member(Role.OPERATION_ADMIN, operation)
    import_nigeria(operation, user, "nga_adm1.geojson", "nga_adm2_borno.geojson")
    assert AdminArea.objects.get(operation=operation, level=0).pcode == "NGA"
    maiduguri = AdminArea.objects.get(operation=operation, pcode="NGA008021")
    assert maiduguri.parent.pcode == "NGA008"
    assert maiduguri.geometry is not None


def test_an_xlsx_list_is_imported(operation, admin_user):
    data = xlsx_bytes([["ADM1_PCODE", "ADM1_EN"], ["NG001", "Abia"], ["NG002", "Adamawa"]])
    summary = import_areas(operation, admin_user, "states.xlsx", data)
    assert summary.levels[1]["created"] == 2
    assert AdminArea.objects.get(pcode="NG002").parent.pcode == "NG"


def test_creations_and_the_import_are_audited(operation, admin_user):
    import_areas(operation, admin_user, "states.geojson", geojson(state("NG001", "Abia")))
    created = AuditEvent.objects.filter(action="create", object_type="geo.adminarea")
    assert sorted(event.object_label for event in created) == ["Abia (NG001)", "Nigeria (NG)"]
    imported = AuditEvent.objects.get(action="import")
    assert imported.actor == admin_user
    assert imported.after["created"] == 2
    assert imported.after["by_level"]["1"]["created"] == 1


# Bad input: refused, every problem named, nothing written


def test_a_truncated_geojson(operation, admin_user):
    data = (NIGERIA / "nga_adm2_borno.geojson").read_bytes()[:5000]
    error = refused(operation, admin_user, "borno.geojson", data)
    assert error.message.startswith("borno.geojson is not valid JSON: ")
    assert "at line 1, column 5001" in error.message
    assert "download it again" in error.hint


def test_json_that_is_not_a_feature_collection(operation, admin_user):
    error = refused(operation, admin_user, "areas.json", b'{"areas": []}')
    assert error.message == "areas.json is JSON but not a GeoJSON FeatureCollection."


@pytest.mark.parametrize(
    "document",
    [square(3, 4), {"type": "Point", "coordinates": [3, 4]}, state("NG001", "Abia")],
    ids=["polygon", "point", "feature"],
)
def test_a_bare_geometry_or_feature(operation, admin_user, document):
    error = refused(operation, admin_user, "abia.geojson", json.dumps(document).encode())
    assert error.message == (
        f"abia.geojson holds a single {document['type']}, not a FeatureCollection, so it has "
        "no p-code and name columns."
    )
    assert "FeatureCollection" in error.hint


def test_a_projected_crs(operation, admin_user):
    data = geojson(
        state("NG001", "Abia"),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}},
    )
    error = refused(operation, admin_user, "states.geojson", data)
    assert "states.geojson is in the coordinate system urn:ogc:def:crs:EPSG::32632" in error.message
    assert "ogr2ogr -t_srs EPSG:4326" in error.hint


def test_projected_coordinates_without_a_crs_member(operation, admin_user):
    utm = square(299_000, 1_310_000, 5_000)
    data = geojson(state("NG001", "Abia"), state("NG002", "Adamawa", utm))
    error = refused(operation, admin_user, "states.geojson", data)
    (problem,) = error.problems
    assert (problem.where, problem.field) == ("states.geojson, feature 2", "geometry")
    assert "NG002 has coordinates outside longitude/latitude ranges" in problem.message
    assert "projected CRS" in problem.message
    assert "EPSG:4326" in problem.hint


def test_an_invalid_bow_tie_polygon_and_its_repair(operation, admin_user):
    data = geojson(state("NG001", "Abia", BOW_TIE))
    error = refused(operation, admin_user, "states.geojson", data)
    assert messages(error)[0].startswith(
        "states.geojson, feature 1, 'geometry': NG001 has an invalid geometry: Self-intersection"
    )
    assert "repair option" in error.problems[0].hint
    import_areas(operation, admin_user, "states.geojson", data, repair=True)
    assert AdminArea.objects.get(pcode="NG001").geometry["type"] == "MultiPolygon"


def test_a_point_geometry(operation, admin_user):
    data = geojson(state("NG001", "Abia", {"type": "Point", "coordinates": [7.5, 5.5]}))
    (problem,) = refused(operation, admin_user, "states.geojson", data).problems
    assert str(problem).startswith(
        "states.geojson, feature 1, 'geometry': NG001 has a Point geometry; admin areas are "
        "Polygon or MultiPolygon"
    )


def test_a_csv_with_the_wrong_columns(operation, admin_user):
    data = csv_bytes([["id", "label"], ["1", "Abia"]])
    with database_unchanged(), pytest.raises(ColumnsUnclear) as caught:
        import_areas(operation, admin_user, "states.csv", data)
    assert caught.value.message.startswith("states.csv: no column looks like a p-code column")
    assert caught.value.headers == ["id", "label"]


def test_duplicate_pcodes(operation, admin_user):
    data = csv_bytes([["adm1_pcode", "adm1_name"], ["NG001", "Abia"], ["NGA001", "Abia North"]])
    assert messages(refused(operation, admin_user, "states.csv", data)) == [
        "states.csv, row 3: the p-code NG001 is used again; it is first used in "
        "states.csv, row 2. P-codes must be unique: correct one of the two."
    ]


def test_a_parent_named_two_ways(operation, admin_user):
    data = csv_bytes(
        [
            ["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"],
            ["NG008", "Borno", "NG008021", "Maiduguri"],
            ["NG008", "Borno State", "NG008013", "Jere"],
        ]
    )
    (message,) = messages(refused(operation, admin_user, "lgas.csv", data))
    assert message.startswith(
        "lgas.csv, row 3: NG008 is called 'Borno State' here but 'Borno' in lgas.csv, row 2"
    )


def test_an_orphan_child(operation, admin_user):
    data = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008021", "Maiduguri"]])
    assert messages(refused(operation, admin_user, "lgas.csv", data)) == [
        "lgas.csv, row 2: NG008021 (admin 2) has no parent: no admin 1 p-code starts it. "
        "Import the level above first, or add its p-code column to this file."
    ]


def test_a_child_whose_pcode_does_not_start_with_its_parents(operation, admin_user):
    data = csv_bytes(
        [
            ["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"],
            ["NG008", "Borno", "NG007021", "Maiduguri"],
        ]
    )
    assert messages(refused(operation, admin_user, "lgas.csv", data)) == [
        "lgas.csv, row 2: the p-code NG007021 does not start with its parent's p-code NG008. "
        "Correct the p-code or the parent column."
    ]


def test_a_pcode_at_two_levels_in_one_file(operation, admin_user):
    data = csv_bytes(
        [
            ["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"],
            ["NG008", "Borno", "NG008021", "Maiduguri"],
            ["NG008021", "Maiduguri", "NG008021001", "Bolori"],
        ]
    )
    problems = messages(refused(operation, admin_user, "lgas.csv", data))
    assert (
        "lgas.csv, row 3: NG008021 is admin 1 here but admin 2 in lgas.csv, row 2. "
        "A p-code belongs to one level only."
    ) in problems


def test_a_pcode_at_another_level_than_in_the_operation(operation, admin_user):
    import_areas(
        operation,
        admin_user,
        "states.csv",
        csv_bytes([["adm1_pcode", "adm1_name"], ["NG008", "Borno"]]),
    )
    data = csv_bytes([["adm0_pcode", "adm2_pcode", "adm2_name"], ["NG", "NG008", "Borno"]])
    problems = messages(refused(operation, admin_user, "lgas.csv", data))
    assert (
        "lgas.csv, row 2: NG008 is admin 2 in this file but admin 1 in the operation. "
        "A p-code keeps its level across COD versions."
    ) in problems


def test_a_windows_1252_csv(operation, admin_user):
    data = "adm1_pcode,adm1_name\nNG001,Abia\nNG002,Akwa \u00cdbom\n".encode("cp1252")
    error = refused(operation, admin_user, "states.csv", data)
    assert error.message == "states.csv is not UTF-8 text: byte 0xcd on line 3 cannot be read."
    assert "iconv -f WINDOWS-1252 -t UTF-8 states.csv" in error.hint


def test_a_file_over_the_upload_limit(operation, admin_user, settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 2048
    data = geojson(*(state(f"NG{n:03d}", f"State {n}") for n in range(1, 20)))
    error = refused(operation, admin_user, "states.geojson", data)
    assert error.message.startswith("states.geojson is ")
    assert error.message.endswith("; the upload limit is 0.0 MB.")


def test_200_mb_is_refused_on_its_size_before_parsing(operation, admin_user):
    error = refused(operation, admin_user, "states.geojson", b" " * (200 * 1024 * 1024))
    assert error.message == "states.geojson is 200.0 MB; the upload limit is 50.0 MB."


def test_a_zip_bomb_disguised_as_xlsx(operation, admin_user):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(64 * 1024 * 1024))
    error = refused(operation, admin_user, "states.xlsx", out.getvalue())
    assert error.message.startswith("states.xlsx was refused: it would expand to 64.0 MB")


def test_an_xls_workbook(operation, admin_user):
    error = refused(operation, admin_user, "states.xls", b"\xd0\xcf\x11\xe0" + bytes(60))
    assert error.message == "states.xls is an old Excel 97-2003 workbook (.xls)."


@pytest.mark.parametrize("name", ["states.csv", "states.xlsx", "states.geojson"])
def test_an_empty_file(operation, admin_user, name):
    assert refused(operation, admin_user, name, b"").message == f"{name} is empty."


def test_a_non_zip_xlsx(operation, admin_user):
    error = refused(operation, admin_user, "states.xlsx", b"adm1_pcode,adm1_name\nNG001,Abia\n")
    assert error.message.startswith("states.xlsx is not an XLSX workbook")


def test_every_problem_of_a_file_is_reported_at_once(operation, admin_user):
    data = geojson(
        state("NG001", "Abia", BOW_TIE),
        state("NG002", "Adamawa", {"type": "Point", "coordinates": [12, 9]}),
        state("NG001", "Abia"),
        state("NG003", "Akwa Ibom"),
    )
    error = refused(operation, admin_user, "states.geojson", data)
    assert error.message == ("states.geojson was not imported: 3 problem(s). Nothing was changed.")
    assert [(problem.where, problem.field) for problem in error.problems] == [
        ("states.geojson, feature 1", "geometry"),
        ("states.geojson, feature 2", "geometry"),
        ("states.geojson, feature 3", ""),
    ]


# A newer COD-AB version


@pytest.fixture
def borno(operation, admin_user):
    rows = [["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"]]
    rows += [["NG008", "Borno", f"NG0080{n:02d}", f"LGA {n}"] for n in (1, 2, 3)]
    import_areas(
        operation, admin_user, "lgas.csv", csv_bytes(rows), valid_on=datetime.date(2019, 4, 17)
    )
    return AdminArea.objects.get(pcode="NG008")


def lga_file(*lgas: tuple[str, str, dict]) -> bytes:
    return geojson(
        *(
            feature(
                {"adm1_pcode": "NG008", "adm1_name": "Borno", "adm2_pcode": p, "adm2_name": n}, g
            )
            for p, n, g in lgas
        )
    )


def test_a_name_change_keeps_the_row_and_its_former_name(operation, admin_user, borno):
    area = AdminArea.objects.get(pcode="NG008001")
    site = SiteFactory(admin_area=area)
    data = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008001", "Abadam"]])
    summary = import_areas(
        operation, admin_user, "v2.csv", data, valid_on=datetime.date(2024, 1, 1)
    )
    assert summary.levels[2]["updated"] == 1
    renamed = AdminArea.objects.get(pcode="NG008001")
    assert renamed.pk == area.pk
    assert renamed.name == "Abadam"
    assert renamed.valid_on == datetime.date(2024, 1, 1)
    (version,) = renamed.versions.all()
    assert (version.name, version.valid_on, version.valid_to) == (
        "LGA 1",
        datetime.date(2019, 4, 17),
        datetime.date(2024, 1, 1),
    )
    assert version.parent_pcode == "NG008"
    site.refresh_from_db()
    assert site.admin_area_id == area.pk
    event = AuditEvent.objects.get(action="update", object_id=str(area.pk))
    assert event.before["name"] == "LGA 1"
    assert event.after["name"] == "Abadam"
    assert "level" not in event.after  # only what changed


def test_a_geometry_change_keeps_the_former_shape(operation, admin_user, borno):
    import_areas(
        operation, admin_user, "v1.geojson", lga_file(("NG008001", "LGA 1", square(13, 12)))
    )
    assert not AdminAreaVersion.objects.exists()  # a first shape is not a change
    import_areas(
        operation, admin_user, "v2.geojson", lga_file(("NG008001", "LGA 1", square(13, 12, 0.5)))
    )
    area = AdminArea.objects.get(pcode="NG008001")
    assert area.max_lon == 13.5
    (version,) = area.versions.all()
    assert version.geometry == square(13, 12)
    assert version.valid_to is not None


def test_retire_missing_closes_dropped_pcodes_and_deletes_nothing(operation, admin_user, borno):
    retired_area = AdminArea.objects.get(pcode="NG008003")
    site = SiteFactory(admin_area=retired_area)
    data = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008001", "LGA 1"], ["NG008002", "LGA 2"]])
    summary = import_areas(
        operation,
        admin_user,
        "v2.csv",
        data,
        valid_on=datetime.date(2024, 1, 1),
        retire_missing=True,
    )
    assert summary.levels[2] == {"created": 0, "updated": 0, "unchanged": 2, "retired": 1}
    retired_area.refresh_from_db()
    assert retired_area.valid_to == datetime.date(2024, 1, 1)
    assert AdminArea.objects.filter(level=2).count() == 3
    site.refresh_from_db()
    assert site.admin_area == retired_area


def test_retiring_an_area_retires_its_current_descendants(operation, admin_user, borno):
    wards = [["adm2_pcode", "adm2_name", "adm3_pcode", "adm3_name"]]
    wards += [
        [f"NG0080{lga:02d}", f"LGA {lga}", f"NG0080{lga:02d}{n:02d}", "W"]
        for lga in (1, 3)
        for n in (1, 2)
    ]
    import_areas(operation, admin_user, "wards.csv", csv_bytes(wards))
    two = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008001", "LGA 1"], ["NG008002", "LGA 2"]])
    summary = import_areas(
        operation,
        admin_user,
        "v2.csv",
        two,
        valid_on=datetime.date(2024, 1, 1),
        retire_missing=True,
    )
    assert (summary.levels[2]["retired"], summary.levels[3]["retired"]) == (1, 2)
    current = AdminArea.objects.current().filter(level=3).values_list("pcode", flat=True)
    assert sorted(current) == ["NG00800101", "NG00800102"]
    assert set(
        AdminArea.objects.filter(pcode__startswith="NG008003").values_list("valid_to", flat=True)
    ) == {datetime.date(2024, 1, 1)}
    retired_wards = AdminArea.objects.filter(level=3, valid_to__isnull=False)
    notes = AuditEvent.objects.filter(
        action="update",
        object_id__in=[str(pk) for pk in retired_wards.values_list("pk", flat=True)],
    ).values_list("note", flat=True)
    assert list(notes) == ["its parent NG008003 is no longer in the COD-AB"] * 2


def test_without_retire_missing_dropped_pcodes_stay_current(operation, admin_user, borno):
    data = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008001", "LGA 1"]])
    import_areas(operation, admin_user, "v2.csv", data)
    assert AdminArea.objects.current().filter(level=2).count() == 3


def test_retire_missing_only_looks_under_the_parents_the_file_covers(operation, admin_user, borno):
    rows = [
        ["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name"],
        ["NG025", "Lagos", "NG025011", "Ikeja"],
    ]
    import_areas(operation, admin_user, "lagos.csv", csv_bytes(rows))
    borno_only = csv_bytes(
        [["adm2_pcode", "adm2_name"], ["NG008001", "LGA 1"], ["NG008002", "LGA 2"]]
    )
    import_areas(operation, admin_user, "borno.csv", borno_only, retire_missing=True)
    assert AdminArea.objects.get(pcode="NG025011").valid_to is None
    assert AdminArea.objects.get(pcode="NG008003").valid_to is not None


def test_a_retired_pcode_that_comes_back_is_current_again(operation, admin_user, borno):
    two = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008001", "LGA 1"], ["NG008002", "LGA 2"]])
    import_areas(operation, admin_user, "v2.csv", two, retire_missing=True)
    three = csv_bytes([["adm2_pcode", "adm2_name"], ["NG008003", "LGA 3"]])
    import_areas(operation, admin_user, "v3.csv", three)
    area = AdminArea.objects.get(pcode="NG008003")
    assert area.valid_to is None
    assert area.versions.count() == 1


# Who may import


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR, Role.DATA_MANAGER])
def test_only_operation_admins_import_areas(operation, member, role):
    user = member(role, operation)
    with database_unchanged(), pytest.raises(Forbidden):
        import_areas(operation, user, "states.geojson", geojson(state("NG001", "Abia")))


def test_a_user_of_another_operation_does_not_see_this_one(operation, other_operation, member):
    user = member(Role.OPERATION_ADMIN, other_operation)
    with database_unchanged(), pytest.raises(NotFound):
        import_areas(operation, user, "states.geojson", geojson(state("NG001", "Abia")))
