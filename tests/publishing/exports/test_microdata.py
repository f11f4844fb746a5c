"""The microdata gate on site-level files: tables built to pass, and to trip each rule."""

import pytest

from opendtm.accounts.models import Operation
from opendtm.core.errors import ApplicationError
from opendtm.publishing.disclosure import Suppressed
from opendtm.publishing.exports.microdata import (
    HOUSEHOLD_SIZE_BANDS,
    SIZE_BANDS,
    Gate,
    band,
    site_risk,
)
from opendtm.publishing.selectors.tables import Audience, Place, Table

OPERATION = Operation(name="Test", admin_level_names=["Country", "State", "LGA"])


def sites_table(sites):
    """A site-level table: one (LGA, type, people, households) per site."""
    places, values = [], {}
    for pk, (lga, kind, people, households) in enumerate(sites, 1):
        places.append(Place(pk, "site", f"S{pk}", f"Site {pk}", {2: (lga, lga)}, site_type=kind))
        values[(pk, "idp_individuals", "", "")] = people
        values[(pk, "idp_households", "", "")] = households
    return Table(None, None, "site", Audience.PUBLIC, 5, [], places, values)  # type: ignore[arg-type]


ALIKE = [("NG008001", "camp", 600, 120)] * 40  # 5 people per household


def gate_of(table):
    return Gate.of(site_risk(table), OPERATION)  # the default limit: 3%


def test_forty_alike_sites_pass_under_three_percent():
    gate = gate_of(sites_table(ALIKE))
    assert gate.risk.global_risk == pytest.approx(1 / 40)
    assert not gate.blocked
    assert gate.risk.below_k == []
    assert "within the 3.0% limit" in gate.summary
    gate.require_shareable()  # nothing raised


def test_one_site_whose_families_stand_out_blocks_the_file():
    big_families = ("NG008001", "camp", 600, 60)  # 10 people per household
    gate = gate_of(sites_table([*ALIKE, big_families]))
    assert gate.risk.global_risk == pytest.approx(2 / 41)  # 4.9%
    assert gate.blocked
    assert gate.risk.below_k == [40]  # the one site nobody shares its key with
    assert [name for name, _risk in gate.culprits] == ["household size (banded)"]
    assert "withheld" in gate.summary
    assert "4.9%" in gate.summary
    assert "1 of 41 sites" in gate.summary
    with pytest.raises(ApplicationError) as refused:
        gate.require_shareable()
    assert refused.value.problems[0].field == "household size (banded)"
    assert "2.4%" in refused.value.problems[0].message  # without it: 1/41


@pytest.mark.parametrize(
    ("odd", "culprit"),
    [
        (("NG008002", "camp", 600, 120), "LGA"),
        (("NG008001", "host_community", 600, 120), "site type"),
        (("NG008001", "camp", 6000, 1200), "size (IDP individuals, banded)"),
    ],
)
def test_each_key_variable_can_carry_the_risk(odd, culprit):
    gate = gate_of(sites_table([*ALIKE, odd]))
    assert gate.blocked
    assert gate.culprits[0][0] == culprit


def test_the_limit_is_a_setting(settings):
    settings.OPENDTM_MICRODATA_RISK_LIMIT = 0.05
    gate = gate_of(sites_table([*ALIKE, ("NG008001", "camp", 600, 60)]))
    assert gate.limit == 0.05
    assert not gate.blocked


def test_a_blanked_count_is_a_band_of_its_own():
    table = sites_table(ALIKE)
    assert site_risk(table).below_k == []
    table.suppressed[(40, "idp_individuals", "", "")] = Suppressed.PRIMARY
    assert site_risk(table).below_k == [39]  # a reader sees no size there: it stands out


def test_sites_with_few_like_them_break_k_anonymity():
    pairs = [("NG008001", "camp", 600, 120)] * 2 + [("NG008002", "camp", 600, 120)] * 3
    risk = site_risk(sites_table(pairs))
    assert risk.below_k == [0, 1]  # two sites share their key: fewer than k=3
    assert risk.global_risk == pytest.approx(2 / 5)


@pytest.mark.parametrize(
    ("value", "bounds", "expected"),
    [
        (None, SIZE_BANDS, "blanked"),
        (49, SIZE_BANDS, "0-49"),
        (50, SIZE_BANDS, "50-199"),
        (4999, SIZE_BANDS, "1000-4999"),
        (5000, SIZE_BANDS, "5000+"),
        (3.9, HOUSEHOLD_SIZE_BANDS, "0-3"),
        (6.5, HOUSEHOLD_SIZE_BANDS, "4-6"),
        (7, HOUSEHOLD_SIZE_BANDS, "7+"),
    ],
)
def test_bands(value, bounds, expected):
    assert band(value, bounds) == expected
