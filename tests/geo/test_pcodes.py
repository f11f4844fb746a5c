import pytest

from opendtm.geo.pcodes import PcodeError, normalize_pcode
from tests.factories import OperationFactory


@pytest.fixture
def iso2(db):
    return OperationFactory(slug="iso2")


@pytest.fixture
def iso3(db):
    return OperationFactory(slug="iso3", pcode_style="iso3")


@pytest.mark.parametrize("raw", ["NG008021", "NGA008021", "ng008021", " NGA 008 021 "])
def test_both_prefixes_give_the_operations_style(iso2, iso3, raw):
    assert normalize_pcode(raw, iso2) == "NG008021"
    assert normalize_pcode(raw, iso3) == "NGA008021"


def test_the_country_itself(iso2, iso3):
    assert normalize_pcode("NGA", iso2) == "NG"
    assert normalize_pcode("NG", iso3) == "NGA"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("SD01001", "'SD01001' is not a p-code of Nigeria, whose p-codes start with NG or NGA."),
        ("NGX008", "'NGX008' is not a p-code of Nigeria"),
        (
            "008021",
            "'008021' is not a p-code: a p-code is the country prefix and digits, like NG008.",
        ),
        ("NG-008", "'NG-008' is not a p-code"),
        ("", "'' is not a p-code"),
    ],
)
def test_other_texts_are_refused_with_an_example(iso2, raw, message):
    with pytest.raises(PcodeError) as caught:
        normalize_pcode(raw, iso2)
    assert str(caught.value).startswith(message)
