import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opendtm.accounts.roles import Role
from opendtm.geo.models import AdminArea
from tests.geo.conftest import NIGERIA, csv_bytes, database_unchanged, geojson, state

BOW_TIE = {"type": "Polygon", "coordinates": [[[3, 4], [5, 6], [5, 4], [3, 6], [3, 4]]]}


class Terminal(io.StringIO):
    """Typed answers, one per line, on what looks like a terminal."""

    def isatty(self) -> bool:
        return True


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_areas", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def fails(*args, **options) -> tuple[CommandError, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with database_unchanged(), pytest.raises(CommandError) as caught:
        call_command("import_areas", *args, stdout=out, stderr=err, **options)
    return caught.value, out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path):
    def make(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return make


def test_the_nigeria_states_then_lgas(operation, admin_user):
    out, _err = run("nga-ne", str(NIGERIA / "nga_adm1.geojson"), "--user", "opadmin")
    assert out.splitlines() == [
        "nga_adm1.geojson: imported.",
        "  admin 0 (Country): 1 created, 0 updated, 0 unchanged, 0 retired",
        "  admin 1 (State): 37 created, 0 updated, 0 unchanged, 0 retired",
    ]
    out, _err = run(
        "nga-ne",
        str(NIGERIA / "nga_adm2_lgas.csv"),
        "--user=opadmin",
        "--valid-on=2019-04-17",
        "--label=COD-AB 2019",
    )
    assert "  admin 2 (LGA): 774 created, 0 updated, 0 unchanged, 0 retired" in out
    assert AdminArea.objects.get(pcode="NG008021").source == "COD-AB 2019"


def test_a_refused_file_prints_every_problem_and_exits_1(operation, admin_user, write):
    path = write(
        "states.csv",
        csv_bytes(
            [["adm1_pcode", "adm1_name"], ["NG001", "Abia"], ["NG001", "Abia"], ["XX3", "Y"]]
        ),
    )
    error, out, err = fails("nga-ne", path, "--user", "opadmin")
    assert error.returncode == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "states.csv was not imported: 2 problem(s). Nothing was changed."
    assert lines[1].startswith("  - states.csv, row 3: the p-code NG001 is used again")
    assert lines[2].startswith("  - states.csv, row 4, 'adm1_pcode': 'XX3' is not a p-code")
    assert lines[3] == "Fix every problem listed, then import the file again."


def test_unclear_columns_without_a_terminal_print_the_hint(operation, admin_user, write):
    path = write(
        "states.csv", csv_bytes([["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"], ["NG001", "A", "A"]])
    )
    error, _out, err = fails("nga-ne", path, "--user", "opadmin", stdin=io.StringIO("2\n"))
    assert error.returncode == 1
    assert "several columns could be the admin 1 name: ADM1_EN, ADM1_NAME" in err
    assert "The file's columns: ADM1_PCODE, ADM1_EN, ADM1_NAME" in err
    assert "--columns adm1_pcode=ADM1_PCODE,adm1_name=ADM1_EN" in err


def test_unclear_columns_in_a_terminal_are_asked(operation, admin_user, write):
    path = write(
        "states.csv",
        csv_bytes([["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"], ["NG001", "Abia", "Abia State"]]),
    )
    out, _err = run("nga-ne", path, "--user", "opadmin", stdin=Terminal("2\n"))
    assert "  1. ADM1_PCODE\n" in out
    assert "  3. ADM1_NAME\n" in out
    assert "Column of the admin 1 (State) name" in out
    assert AdminArea.objects.get(pcode="NG001").name == "Abia"


def test_a_file_without_recognisable_columns_asks_the_level_first(operation, admin_user, write):
    path = write("states.csv", csv_bytes([["CODE", "STATE"], ["NG001", "Abia"]]))
    answers = Terminal("1\nnot a column\n1\nSTATE\n")
    out, _err = run("nga-ne", path, "--user", "opadmin", stdin=answers)
    assert "Which admin level does the file describe" in out
    assert "'not a column' is not one of the columns listed." in out
    assert AdminArea.objects.get(pcode="NG001").name == "Abia"


def test_an_empty_answer_stops(operation, admin_user, write):
    path = write("states.csv", csv_bytes([["CODE", "STATE"], ["NG001", "Abia"]]))
    error, _out, err = fails("nga-ne", path, "--user", "opadmin", stdin=Terminal("1\n\n"))
    assert error.returncode == 1
    assert "no column looks like a p-code column" in err


def test_a_columns_option(operation, admin_user, write):
    path = write("states.csv", csv_bytes([["CODE", "STATE"], ["NG001", "Abia"]]))
    run("nga-ne", path, "--user", "opadmin", "--columns", "adm1_pcode=CODE,adm1_name=STATE")
    assert AdminArea.objects.filter(pcode="NG001").exists()


def test_repair_geometry_and_retire_missing(operation, admin_user, write):
    path = write(
        "states.geojson", geojson(state("NG001", "Abia", BOW_TIE), state("NG002", "Adamawa"))
    )
    fails("nga-ne", path, "--user", "opadmin")
    run("nga-ne", path, "--user", "opadmin", "--repair-geometry")
    path = write("v2.geojson", geojson(state("NG001", "Abia")))
    out, _err = run("nga-ne", path, "--user", "opadmin", "--retire-missing")
    assert "  admin 1 (State): 0 created, 1 updated, 0 unchanged, 1 retired" in out
    assert AdminArea.objects.get(pcode="NG002").valid_to is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No active user 'nobody'"),
        (
            ["--user", "opadmin", "--valid-on", "17/04/2019"],
            "--valid-on '17/04/2019' is not a date",
        ),
    ],
)
def test_bad_options(operation, admin_user, args, message):
    error, _out, _err = fails("nga-ne", str(NIGERIA / "nga_adm1.geojson"), *args)
    assert message in str(error)


def test_an_operation_the_user_is_not_in(operation, other_operation, member):
    member(Role.OPERATION_ADMIN, other_operation, "sudan")
    error, _out, _err = fails("nga-ne", str(NIGERIA / "nga_adm1.geojson"), "--user", "sudan")
    assert str(error) == "No operation 'nga-ne' that you can see."


def test_a_viewer_is_refused(operation, member):
    member(Role.VIEWER, operation, "reader")
    error, _out, _err = fails("nga-ne", str(NIGERIA / "nga_adm1.geojson"), "--user", "reader")
    assert "does not allow this (manage_areas)" in str(error)


def test_a_missing_file(operation, admin_user, tmp_path):
    error, _out, _err = fails("nga-ne", str(tmp_path / "nope.geojson"), "--user", "opadmin")
    assert "nope.geojson: no such file." in str(error)


def test_a_file_over_the_limit_is_refused_before_it_is_read(operation, admin_user, settings):
    settings.OPENDTM_MAX_UPLOAD_BYTES = 1024 * 1024
    error, _out, _err = fails("nga-ne", str(NIGERIA / "nga_adm1.geojson"), "--user", "opadmin")
    assert str(error).startswith("nga_adm1.geojson is 1.6 MB; the upload limit is 1.0 MB.")
