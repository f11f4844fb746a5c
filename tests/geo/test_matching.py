from opendtm.geo.matching import AreaNameMatcher
from tests.factories import AdminAreaFactory


def matcher(operation, tiny_geo) -> AreaNameMatcher:
    AdminAreaFactory(
        operation=operation,
        level=2,
        parent=tiny_geo["borno"],
        pcode="NG008003",
        name="Bama",
        alt_names=["Bama Town"],
    )
    return AreaNameMatcher(operation, 2)


def test_an_exact_name_in_any_case_or_accent_matches(operation, tiny_geo):
    found = matcher(operation, tiny_geo).match("MAÏDUGURI")
    assert (found.pcode, found.exact, found.score) == ("NG008021", True, 100.0)


def test_an_other_name_matches_exactly(operation, tiny_geo):
    assert matcher(operation, tiny_geo).match("bama town").pcode == "NG008003"


def test_a_spelling_variant_is_a_fuzzy_suggestion(operation, tiny_geo):
    found = matcher(operation, tiny_geo).match("Maiduguri M.C.")
    assert (found.pcode, found.exact) == ("NG008021", False)
    assert 80 <= found.score < 100


def test_a_weak_likeness_is_no_match_but_lists_the_closest_names(operation, tiny_geo):
    found = matcher(operation, tiny_geo).match("Bassa", "NG008")
    assert found.pcode is None
    assert found.suggestions[0] == "Bama (NG008003)"


def test_a_shared_name_is_not_guessed_without_its_parent(operation, tiny_geo):
    names = matcher(operation, tiny_geo)
    found = names.match("Irepodun")
    assert (found.pcode, found.ambiguous) == (None, True)
    assert found.suggestions == ["Irepodun (NG024009)", "Irepodun (NG030020)"]
    assert names.match("Irepodun", "NG024").pcode == "NG024009"
    assert names.match("Irepodun", "NG030").pcode == "NG030020"


def test_suggestions_stay_within_the_parent(operation, tiny_geo):
    found = matcher(operation, tiny_geo).match("Irepo", "NG008")
    assert found.pcode is None
    assert all("NG008" in suggestion for suggestion in found.suggestions)


def test_retired_areas_are_not_matched(operation, tiny_geo):
    tiny_geo["jere"].valid_to = "2024-01-01"
    tiny_geo["jere"].save()
    assert matcher(operation, tiny_geo).match("Jere").pcode is None
