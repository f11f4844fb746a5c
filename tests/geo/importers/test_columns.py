import pytest

from opendtm.core.errors import ApplicationError
from opendtm.geo.importers.columns import ColumnsUnclear, detect_columns, parse_column_spec


@pytest.mark.parametrize(
    ("pcode", "name"),
    [
        ("adm1_pcode", "adm1_name"),
        ("ADM1_PCODE", "ADM1_EN"),
        ("admin1Pcod", "admin1Name"),
        ("admin1Pcode", "admin1Name"),
        ("Adm1 PCode", "ADM1_NAME_EN"),
    ],
)
def test_the_usual_cod_ab_column_names_are_recognised(pcode, name):
    found = detect_columns(["Shape_Leng", pcode, name], "states.csv")
    assert found.levels[1].pcode == pcode
    assert found.levels[1].name == name
    assert found.deepest == 1


def test_parent_levels_language_variants_and_the_validity_date():
    headers = ["ADM2_PCODE", "ADM2_EN", "ADM2_FR", "ADM1_PCODE", "ADM1_EN", "date", "validOn"]
    found = detect_columns(headers, "lgas.csv")
    assert sorted(found.levels) == [1, 2]
    assert found.levels[2].alt_names == ["ADM2_FR"]
    assert found.valid_on == "validOn"
    assert found.deepest == 2
    assert found.describe() == (
        "adm1_pcode=ADM1_PCODE,adm1_name=ADM1_EN,adm2_pcode=ADM2_PCODE,adm2_name=ADM2_EN,"
        "valid_on=validOn"
    )


def test_admin0_needs_no_name_column():
    found = detect_columns(["admin0Pcod", "admin1Pcod", "admin1Name"], "states.geojson")
    assert found.levels[0].pcode == "admin0Pcod"
    assert found.levels[0].name == ""


def test_two_possible_name_columns_make_the_columns_unclear():
    headers = ["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"]
    with pytest.raises(ColumnsUnclear) as caught:
        detect_columns(headers, "states.csv")
    error = caught.value
    assert "states.csv: several columns could be the admin 1 name: ADM1_EN, ADM1_NAME" in str(error)
    assert error.headers == headers
    assert error.missing == ["adm1_name"]
    assert error.guess.levels[1].pcode == "ADM1_PCODE"
    assert "--columns" in error.hint


def test_no_pcode_column_lists_the_columns():
    with pytest.raises(ColumnsUnclear) as caught:
        detect_columns(["CODE", "STATE"], "states.csv")
    assert "no column looks like a p-code column" in caught.value.message
    assert "Columns: CODE, STATE" in caught.value.message
    assert caught.value.missing == []


def test_a_name_without_pcode_and_a_pcode_without_name_are_unclear():
    with pytest.raises(ColumnsUnclear) as caught:
        detect_columns(["adm2_pcode", "adm2_name", "adm1_name"], "lgas.csv")
    assert "admin 1 has a name column (adm1_name) but no p-code column" in caught.value.message
    assert caught.value.missing == ["adm1_pcode"]
    with pytest.raises(ColumnsUnclear) as caught:
        detect_columns(["adm2_pcode", "NAME"], "lgas.csv")
    assert "admin 2 has a p-code column (adm2_pcode) but no name column" in caught.value.message
    assert caught.value.missing == ["adm2_name"]


def test_a_spec_names_columns_the_detection_cannot():
    found = parse_column_spec(
        "adm1_pcode=CODE, adm1_name=STATE, adm1_alt=ETAT, valid_on=VERSION",
        ["CODE", "STATE", "ETAT", "VERSION"],
        "states.csv",
    )
    assert (found.levels[1].pcode, found.levels[1].name) == ("CODE", "STATE")
    assert found.levels[1].alt_names == ["ETAT"]
    assert found.valid_on == "VERSION"


def test_a_spec_needs_only_the_unclear_column():
    found = parse_column_spec(
        "adm1_name=ADM1_EN", ["ADM1_PCODE", "ADM1_EN", "ADM1_NAME"], "states.csv"
    )
    assert (found.levels[1].pcode, found.levels[1].name) == ("ADM1_PCODE", "ADM1_EN")


def test_a_spec_column_may_differ_in_case():
    found = parse_column_spec("adm1_pcode=code,adm1_name=state", ["CODE", "STATE"], "s.csv")
    assert (found.levels[1].pcode, found.levels[1].name) == ("CODE", "STATE")


@pytest.mark.parametrize("spec", ["pcode=CODE", "adm7_pcode=CODE", "adm1_pcode", "adm1_pcode="])
def test_a_bad_spec_key_is_refused(spec):
    with pytest.raises(ApplicationError) as caught:
        parse_column_spec(spec, ["CODE", "STATE"], "states.csv")
    assert f"'{spec}' in the column mapping is not of the form adm1_pcode=COLUMN" in str(
        caught.value
    )
    assert "admN_pcode" in caught.value.hint


def test_a_spec_naming_an_absent_column_lists_the_columns():
    with pytest.raises(ApplicationError) as caught:
        parse_column_spec("adm1_pcode=PCODE,adm1_name=STATE", ["CODE", "STATE"], "states.csv")
    assert caught.value.message == "states.csv has no column 'PCODE'. Its columns are: CODE, STATE."


def test_an_incomplete_spec_is_still_unclear():
    with pytest.raises(ColumnsUnclear) as caught:
        parse_column_spec("adm1_pcode=CODE", ["CODE", "STATE"], "states.csv")
    assert caught.value.missing == ["adm1_name"]


def test_the_guess_of_unclear_columns_describes_only_what_is_known():
    with pytest.raises(ColumnsUnclear) as caught:
        detect_columns(["ADM1_FR", "ADM2_PCODE", "ADM2_EN", "ADM2_NAME"], "lgas.csv")
    assert caught.value.guess.describe() == "adm2_pcode=ADM2_PCODE"
