import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opendtm.accounts.roles import Role
from opendtm.geo.models import Site, SiteAreaMatch
from tests.geo.conftest import csv_bytes, database_unchanged, import_nigeria

HEADER = ["site_code", "site_name", "site_type", "pcode", "area", "latitude", "longitude"]
ROWS = [
    ["BOR-001", "Bakassi Camp", "camp", "NGA008021", "", "11.83", "13.15"],
    ["BOR-002", "Stadium Camp", "camp", "", "Maiduguri M.C.", "", ""],
    ["BOR-003", "Customs Junction", "host community", "NG008021", "", "11.86", "13.27"],
    ["BOR-004", "Dalori 2", "camp", "", "Konduga", "", ""],
]


@pytest.fixture
def borno(operation, admin_user):
    import_nigeria(operation, admin_user, "nga_adm1.geojson", "nga_adm2_borno.geojson")


@pytest.fixture
def master_list(tmp_path):
    def write(rows, name="sites.csv", **options) -> str:
        path = tmp_path / name
        path.write_bytes(csv_bytes([HEADER, *rows], **options))
        return str(path)

    return write


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sites", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_the_import_reports_matches_to_confirm_and_sites_outside(borno, master_list):
    out, err = run("nga-ne", master_list(ROWS), "--user", "opadmin")
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "sites.csv: 4 created, 0 updated, 0 unchanged."
    assert lines[1] == (
        "1 area name(s) matched only approximately; confirm or reject them on "
        "/ops/nga-ne/sites/matches/ :"
    )
    assert lines[2].startswith("  BOR-002: 'Maiduguri M.C.' -> Maiduguri (NG008021), score ")
    assert lines[3] == "1 site(s) have coordinates outside their admin area: BOR-003"
    assert Site.objects.get(code="BOR-002").admin_area is None
    assert SiteAreaMatch.objects.get().site.code == "BOR-002"
    assert Site.objects.get(code="BOR-004").admin_area.name == "Konduga"


def test_a_second_run_changes_nothing(borno, master_list):
    path = master_list(ROWS)
    run("nga-ne", path, "--user", "opadmin")
    out, _err = run("nga-ne", path, "--user", "opadmin")
    assert out.splitlines()[0] == "sites.csv: 0 created, 0 updated, 4 unchanged."
    assert SiteAreaMatch.objects.count() == 1


def test_a_refused_list_prints_its_problems_and_exits_1(borno, master_list):
    rows = [
        ["BOR-001", "Bakassi Camp", "hotel", "NG008021", "", "", ""],
        ["BOR-001", "Bakassi Camp", "camp", "NG008021", "", "", ""],
        ["BOR-002", "Gwange", "camp", "", "Gwanga Ward", "", ""],
    ]
    err = io.StringIO()
    with database_unchanged(), pytest.raises(CommandError) as caught:
        call_command("import_sites", "nga-ne", master_list(rows), "--user", "opadmin", stderr=err)
    assert caught.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0] == "sites.csv was not imported: 3 problem(s). Nothing was changed."
    assert lines[1].startswith("  - sites.csv, row 2, 'site_type': 'hotel' is not a site type")
    assert lines[2].startswith(
        "  - sites.csv, row 3, 'site_code': the site code BOR-001 is used again"
    )
    assert lines[3].startswith(
        "  - sites.csv, row 4, 'area': the area name 'Gwanga Ward' matches no admin 2"
    )
    assert "Closest names:" in lines[3]


def test_a_semicolon_list_with_a_columns_option(operation, admin_user, master_list, tiny_geo):
    header = ["ID", "Nom", "LGA", "lat", "lon"]
    path = master_list([["S1", "Muna", "NG008013", "11,7", "13,7"]], delimiter=";")
    path_with_header = path.replace("sites.csv", "liste.csv")
    with open(path_with_header, "wb") as file:
        file.write(csv_bytes([header, ["S1", "Muna", "NG008013", "11,7", "13,7"]], delimiter=";"))
    out, _err = run(
        "nga-ne", path_with_header, "--user", "opadmin", "--columns", "code=ID,name=Nom,pcode=LGA"
    )
    assert out.startswith("liste.csv: 1 created")
    assert (Site.objects.get().latitude, Site.objects.get().longitude) == (11.7, 13.7)


def test_an_enumerator_is_refused(operation, member, master_list):
    member(Role.ENUMERATOR, operation, "field")
    with pytest.raises(CommandError, match=r"does not allow this \(manage_sites\)"):
        run("nga-ne", master_list(ROWS), "--user", "field")
