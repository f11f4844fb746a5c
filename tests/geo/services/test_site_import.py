import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from opendtm.core.tables import read_table
from opendtm.geo.models import AdminArea, Site, SiteAreaMatch
from opendtm.geo.services.site_import import sites_import
from opendtm.geo.services.sites import site_area_match_decide
from tests.geo.conftest import IN_JERE, IN_MAIDUGURI, csv_bytes, database_unchanged, xlsx_bytes

HEADER = ["site_code", "site_name", "site_type", "pcode", "area", "latitude", "longitude", "status"]


def row(
    code="S1", name="Dalori Camp", site_type="camp", pcode="", area="", lat="", lon="", status=""
):
    return [code, name, site_type, pcode, area, lat, lon, status]


def run(operation, actor, *rows, header=HEADER, delimiter=",", columns=""):
    data = csv_bytes([header, *rows], delimiter=delimiter)
    table = read_table("sites.csv", data)
    return sites_import(actor=actor, operation=operation, table=table, columns=columns)


def refused(operation, actor, *rows, **options) -> ApplicationError:
    with database_unchanged(), pytest.raises(ApplicationError) as caught:
        run(operation, actor, *rows, **options)
    return caught.value


def only_problem(error: ApplicationError):
    (problem,) = error.problems
    return problem


def test_a_site_by_exact_pcode_in_either_prefix(operation, admin_user, tiny_geo):
    summary = run(operation, admin_user, row("S1", pcode="NG008021"), row("S2", pcode="nga008013"))
    assert summary.created == 2
    assert Site.objects.get(code="S1").admin_area == tiny_geo["maiduguri"]
    assert Site.objects.get(code="S2").admin_area == tiny_geo["jere"]


def test_an_exact_area_name_is_applied(operation, admin_user, tiny_geo):
    run(operation, admin_user, row(area="maiduguri"))
    site = Site.objects.get(code="S1")
    assert site.admin_area == tiny_geo["maiduguri"]
    assert not SiteAreaMatch.objects.exists()


def test_a_fuzzy_area_name_waits_for_a_person(operation, admin_user, tiny_geo):
    summary = run(operation, admin_user, row(area="Maiduguri M.C."))
    site = Site.objects.get(code="S1")
    assert site.admin_area is None
    match = SiteAreaMatch.objects.get()
    assert (match.site, match.suggested_area, match.given_name, match.status) == (
        site,
        tiny_geo["maiduguri"],
        "Maiduguri M.C.",
        SiteAreaMatch.Status.PENDING,
    )
    assert summary.to_confirm == [
        {
            "code": "S1",
            "given": "Maiduguri M.C.",
            "suggested": "NG008021",
            "name": "Maiduguri",
            "score": match.score,
        }
    ]
    assert match.score >= 80


def test_a_confirmed_match_is_kept_by_a_reimport(operation, admin_user, tiny_geo):
    run(operation, admin_user, row(area="Maiduguri M.C."))
    site_area_match_decide(actor=admin_user, match=SiteAreaMatch.objects.get(), accept=True)
    assert Site.objects.get(code="S1").admin_area == tiny_geo["maiduguri"]
    summary = run(operation, admin_user, row(area="Maiduguri M.C."))
    assert (summary.unchanged, summary.to_confirm) == (1, [])
    assert Site.objects.get(code="S1").admin_area == tiny_geo["maiduguri"]
    assert SiteAreaMatch.objects.count() == 1


def test_a_rejected_match_is_not_asked_again(operation, admin_user, tiny_geo):
    run(operation, admin_user, row(area="Maiduguri M.C."))
    site_area_match_decide(actor=admin_user, match=SiteAreaMatch.objects.get(), accept=False)
    summary = run(operation, admin_user, row(area="Maiduguri M.C."))
    assert summary.to_confirm == []
    assert not SiteAreaMatch.objects.filter(status=SiteAreaMatch.Status.PENDING).exists()
    assert Site.objects.get(code="S1").admin_area is None


def test_an_unknown_area_name_suggests_the_closest_names(operation, admin_user, tiny_geo):
    error = refused(operation, admin_user, row(area="Gwoza"))
    problem = only_problem(error)
    assert (problem.where, problem.field) == ("sites.csv, row 2", "area")
    assert problem.message == "the area name 'Gwoza' matches no admin 2 of the operation"
    assert problem.hint.startswith("Closest names: ")
    assert "(NG008021)" in problem.hint
    assert problem.hint.endswith("Give the p-code instead.")


def test_a_name_several_areas_share_is_not_guessed(operation, admin_user, tiny_geo):
    problem = only_problem(refused(operation, admin_user, row(area="Irepodun")))
    assert problem.message == (
        "several admin 2 areas are called 'Irepodun': Irepodun (NG024009); Irepodun (NG030020)"
    )
    assert "parent" in problem.hint


def test_a_parent_column_tells_namesakes_apart(operation, admin_user, tiny_geo):
    header = ["site_code", "site_name", "adm1_pcode", "adm2_name"]
    run(operation, admin_user, ["S1", "Ajase Camp", "NG030", "Irepodun"], header=header)
    assert Site.objects.get(code="S1").admin_area == tiny_geo["irepodun_osun"]


def test_coordinates_outside_the_sites_area_are_flagged(operation, admin_user, tiny_geo):
    summary = run(operation, admin_user, row(pcode="NG008021", lat=IN_JERE[0], lon=IN_JERE[1]))
    site = Site.objects.get(code="S1")
    assert site.admin_area == tiny_geo["maiduguri"]
    assert site.outside_area is True
    assert summary.outside_area == ["S1"]


def test_coordinates_inside_the_area_are_not_flagged(operation, admin_user, tiny_geo):
    run(operation, admin_user, row(pcode="NG008021", lat=IN_MAIDUGURI[0], lon=IN_MAIDUGURI[1]))
    assert Site.objects.get(code="S1").outside_area is False


def test_coordinates_alone_place_the_site_in_the_deepest_area(operation, admin_user, tiny_geo):
    run(operation, admin_user, row(lat=IN_JERE[0], lon=IN_JERE[1]))
    site = Site.objects.get(code="S1")
    assert site.admin_area == tiny_geo["jere"]
    assert (site.latitude, site.longitude) == (11.7, 13.7)


def test_coordinates_no_area_covers_are_refused(operation, admin_user, tiny_geo):
    problem = only_problem(refused(operation, admin_user, row(lat="6.5", lon="3.4")))
    assert problem.message == "no admin area of the operation covers 6.5, 3.4"
    assert problem.field == "latitude/longitude"


def test_swapped_coordinates_of_a_site_with_a_pcode(operation, admin_user, tiny_geo):
    lat, lon = IN_MAIDUGURI
    problem = only_problem(refused(operation, admin_user, row(pcode="NG008021", lat=lon, lon=lat)))
    assert problem.message == (
        "latitude and longitude seem swapped: 13.2, 11.8 is outside Maiduguri, "
        "but 11.8, 13.2 is inside it"
    )
    assert (problem.where, problem.field) == ("sites.csv, row 2", "latitude/longitude")


def test_swapped_coordinates_of_a_site_without_area(operation, admin_user, tiny_geo):
    lat, lon = IN_MAIDUGURI
    problem = only_problem(refused(operation, admin_user, row(lat=lon, lon=lat)))
    assert problem.message.startswith("latitude and longitude seem swapped")


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("113.2", "11.8", "is not a place on Earth"),
        ("11.8", "", "only one of latitude and longitude is given"),
        ("0", "0", "0, 0 is a placeholder"),
        ("11.8N", "13.2E", "are not numbers"),
    ],
)
def test_bad_coordinates_are_refused(operation, admin_user, tiny_geo, lat, lon, message):
    problem = only_problem(refused(operation, admin_user, row(pcode="NG008021", lat=lat, lon=lon)))
    assert message in problem.message
    assert problem.where == "sites.csv, row 2"


def test_a_semicolon_file_with_decimal_commas(operation, admin_user, tiny_geo):
    run(
        operation,
        admin_user,
        row(pcode="NG008021", lat="11,83", lon="13,15"),
        delimiter=";",
    )
    site = Site.objects.get(code="S1")
    assert (site.latitude, site.longitude) == (11.83, 13.15)


def test_an_xlsx_master_list(operation, admin_user, tiny_geo):
    data = xlsx_bytes(
        [["SSID", "Site Name", "pcode", "lat", "lon"], ["S1", "Muna", "NG008013", 11.7, 13.7]]
    )
    summary = sites_import(
        actor=admin_user, operation=operation, table=read_table("sites.xlsx", data)
    )
    assert summary.source == "sites.xlsx, sheet 'areas'"
    assert Site.objects.get(code="S1").admin_area == tiny_geo["jere"]


def test_duplicate_site_codes(operation, admin_user, tiny_geo):
    error = refused(operation, admin_user, row("S1", pcode="NG008021"), row("S1", pcode="NG008013"))
    problem = only_problem(error)
    assert str(problem) == (
        "sites.csv, row 3, 'site_code': the site code S1 is used again; it is first used in "
        "sites.csv, row 2. Site codes must be unique."
    )


def test_a_bad_type_and_status(operation, admin_user, tiny_geo):
    error = refused(operation, admin_user, row(site_type="hotel", status="maybe", pcode="NG008021"))
    assert [(p.where, p.field) for p in error.problems] == [
        ("sites.csv, row 2", "site_type"),
        ("sites.csv, row 2", "status"),
    ]


def test_unknown_and_retired_pcodes(operation, admin_user, tiny_geo):
    AdminArea.objects.filter(pcode="NG008013").update(valid_to="2024-01-01")
    error = refused(
        operation,
        admin_user,
        row("S1", pcode="NG008099"),
        row("S2", pcode="NG008013"),
        row("S3", pcode="SD01"),
        row("S4"),
    )
    assert [str(problem) for problem in error.problems] == [
        "sites.csv, row 2, 'pcode': the p-code NG008099 is not an admin area of the operation. "
        "Check the code, or import that area first.",
        "sites.csv, row 3, 'pcode': the p-code NG008013 was retired on 2024-01-01. "
        "Use the p-code of the current COD-AB version.",
        "sites.csv, row 4, 'pcode': 'SD01' is not a p-code of Nigeria, whose p-codes start "
        "with NG or NGA.",
        "sites.csv, row 5: the site has no p-code, area name or coordinates. "
        "Give at least one, so the site can be placed in its admin area.",
    ]
    assert error.message == "sites.csv was not imported: 4 problem(s). Nothing was changed."


def test_a_file_with_no_sites(operation, admin_user, tiny_geo):
    assert refused(operation, admin_user).message == "sites.csv has no sites in it."


def test_a_reimport_updates_and_is_idempotent(operation, admin_user, tiny_geo):
    run(operation, admin_user, row("S1", pcode="NG008021"), row("S2", pcode="NG008013"))
    site = Site.objects.get(code="S1")
    changed = run(
        operation,
        admin_user,
        row("S1", name="Dalori 2", pcode="NG008021", status="closed"),
        row("S2", pcode="NG008013"),
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    site.refresh_from_db()
    assert (site.name, site.status) == ("Dalori 2", "closed")
    events = AuditEvent.objects.count()
    again = run(
        operation,
        admin_user,
        row("S1", name="Dalori 2", pcode="NG008021", status="closed"),
        row("S2", pcode="NG008013"),
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.count() == events + 1  # the import event only


def test_creates_and_updates_are_audited(operation, admin_user, tiny_geo):
    run(operation, admin_user, row("S1", pcode="NG008021"))
    created = AuditEvent.objects.get(action="create", object_type="geo.site")
    assert created.after["code"] == "S1"
    assert created.actor == admin_user
    run(operation, admin_user, row("S1", name="Dalori 2", pcode="NG008021"))
    updated = AuditEvent.objects.get(action="update", object_type="geo.site")
    assert (updated.before, updated.after) == ({"name": "Dalori Camp"}, {"name": "Dalori 2"})
    assert AuditEvent.objects.filter(action="import", object_type="geo.site").count() == 2


def test_a_columns_spec(operation, admin_user, tiny_geo):
    header = ["ID", "Nom", "LGA"]
    run(
        operation,
        admin_user,
        ["S1", "Muna", "NG008013"],
        header=header,
        columns="code=ID,name=Nom,pcode=LGA",
    )
    assert Site.objects.get(code="S1").name == "Muna"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR])
def test_viewers_and_enumerators_cannot_import_sites(operation, member, tiny_geo, role):
    user = member(role, operation)
    with database_unchanged(), pytest.raises(Forbidden):
        run(operation, user, row(pcode="NG008021"))


def test_a_data_manager_can_import_sites(operation, member, tiny_geo):
    assert run(operation, member(Role.DATA_MANAGER, operation), row(pcode="NG008021")).created == 1


def test_a_user_of_another_operation_gets_not_found(operation, other_operation, member, tiny_geo):
    user = member(Role.OPERATION_ADMIN, other_operation)
    with database_unchanged(), pytest.raises(NotFound):
        run(operation, user, row(pcode="NG008021"))


def test_a_row_with_a_bad_value_is_still_checked_for_its_code_and_area(
    operation, admin_user, tiny_geo
):
    error = refused(
        operation,
        admin_user,
        row("S1", site_type="hotel", area="Gwoza"),
        row("S1", pcode="NG008021"),
        row("S2", lat="x", lon="y"),
    )
    assert [(p.where, p.field) for p in error.problems] == [
        ("sites.csv, row 2", "site_type"),
        ("sites.csv, row 2", "area"),
        ("sites.csv, row 3", "site_code"),
        ("sites.csv, row 4", "latitude/longitude"),
    ]


def test_names_cannot_match_before_areas_are_imported(operation, admin_user):
    problem = only_problem(refused(operation, admin_user, row(area="Maiduguri")))
    assert problem.message == "the area name 'Maiduguri' matches no admin 1 of the operation"
    assert problem.hint == "The operation has no admin 1 areas yet: import them first."
