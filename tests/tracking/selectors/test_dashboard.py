"""The dashboard's numbers, computed by hand from the published rounds of the publishing
fixture: round 1 has site 1 (Abadam) with 50 IDPs (30 f, 20 m) in 10 households, site 2
(Askira/Uba) with 3 (2 f, 1 m) in 1; round 2 changes site 1 to 60 IDPs (35 f, 25 m) in 12."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import Forbidden
from opendtm.geo.models import Site
from opendtm.publishing.selectors.tables import Audience, table
from opendtm.tracking.selectors import dashboard
from opendtm.tracking.selectors.dashboard import Cells, Reader
from tests.publishing.conftest import S1, S2, publish, published

__all__ = ["published"]

S1_ROUND2 = {**S1, "idp_hh": 12, "idp_ind": 60, "idp_f": 35, "idp_m": 25}


def public_cells(round, level, codes):
    """As the public view reads (web/views/public.py), without importing the web layer."""
    found = table(round, level, codes=codes, audience=Audience.PUBLIC)
    blanked = set(found.suppressed)
    values = {key: value for key, value in found.values.items() if key not in blanked}
    return Cells(values=values, blanked=blanked)


PUBLIC = Reader("public", public_cells)


@pytest.fixture
def second(published, borno, manager, operation, form_version):
    return publish(manager, operation, form_version, borno[2], 2, [S1_ROUND2, S2])


@pytest.fixture
def viewer(member, operation):
    return member(Role.VIEWER, operation, "viewer")


def cards_of(reader, round):
    return {card.code: card for card in dashboard.headlines(reader, round)}


def test_headlines_with_change_since_the_previous_round(published, second, viewer, operation):
    reader = dashboard.member_reader(user=viewer, operation=operation)
    first = cards_of(reader, published)
    assert (first["idp_individuals"].value, first["idp_individuals"].previous) == (53, None)
    assert first["idp_households"].value == 11
    assert first["sites"].value == 2
    assert "returnee_individuals" not in first  # not counted: no card
    now = cards_of(reader, second)
    assert (now["idp_individuals"].value, now["idp_individuals"].change) == (63, 10)
    assert (now["idp_households"].value, now["idp_households"].change) == (13, 2)
    assert (now["sites"].value, now["sites"].change) == (2, 0)


def test_map_values_per_admin1_then_admin2(published, viewer, operation):
    reader = dashboard.member_reader(user=viewer, operation=operation)
    states = dashboard.area_values(reader, published, level=1)
    assert [(row.pcode, row.idps, row.households) for row in states] == [("NG008", 53, 11)]
    lgas = dashboard.area_values(reader, published, level=2, parent="NG008")
    assert [(row.pcode, row.idps, row.blanked) for row in lgas] == [
        ("NG008001", 50, False),
        ("NG008002", 3, False),
    ]


def test_public_map_blanks_small_counts_and_what_reveals_them(published):
    lgas = dashboard.area_values(PUBLIC, published, level=2, parent="NG008")
    # 3 is under the threshold of 5; 50 would give it away through Borno's 53.
    assert [(row.idps, row.blanked) for row in lgas] == [(None, True), (None, True)]
    assert [row.idps for row in dashboard.area_values(PUBLIC, published, level=1)] == [53]


def test_sites_carry_their_figures_and_state(published, viewer, operation):
    Site.objects.filter(operation=operation).update(latitude=13.2, longitude=12.5)
    reader = dashboard.member_reader(user=viewer, operation=operation)
    points = {point.code: point for point in dashboard.site_points(reader, published)}
    assert (points["S1"].idps, points["S1"].households, points["S1"].admin1) == (50, 10, "NG008")
    assert points["S2"].idps == 3
    public = {point.code: point for point in dashboard.site_points(PUBLIC, published)}
    assert (public["S2"].idps, public["S2"].blanked) == (None, True)  # 3 people: blanked
    assert (public["S1"].idps, public["S1"].blanked) == (50, False)
    Site.objects.filter(code="S2").update(latitude=None)  # not located: not drawn
    assert [point.code for point in dashboard.site_points(reader, published)] == ["S1"]


def test_trend_reads_each_round_on_its_own(published, second, viewer, operation):
    reader = dashboard.member_reader(user=viewer, operation=operation)
    points = dashboard.trend(reader, second)
    assert [(point.number, point.value, point.current) for point in points] == [
        (1, 53, False),
        (2, 63, True),
    ]
    abadam = dashboard.area_get(operation=operation, pcode="NG008001")
    assert [point.value for point in dashboard.trend(reader, second, abadam)] == [50, 60]
    assert [point.number for point in dashboard.trend(reader, published)] == [1]


def test_pyramid_by_sex_when_ages_were_not_counted(published, viewer, operation):
    reader = dashboard.member_reader(user=viewer, operation=operation)
    bars = dashboard.pyramid(reader, published)
    assert [(bar.age_band, bar.sex, bar.value) for bar in bars] == [("", "f", 32), ("", "m", 21)]


def test_needs_as_shares_of_places_naming_one(published, viewer, operation):
    reader = dashboard.member_reader(user=viewer, operation=operation)
    shares = dashboard.needs(reader, published)
    assert [(need.code, need.places, need.share) for need in shares] == [
        ("need_rank_food", 1, 0.5),
        ("need_rank_shelter", 1, 0.5),
    ]
    abadam = dashboard.area_get(operation=operation, pcode="NG008001")
    assert [need.code for need in dashboard.needs(reader, published, abadam)] == ["need_rank_food"]


def test_protection_risks_for_protection_roles_only_and_audited(
    published, viewer, member, operation
):
    with pytest.raises(Forbidden):
        dashboard.protection_risks(user=viewer, round=published)
    officer = member(Role.PROTECTION_OFFICER, operation, "officer")
    risks = {risk.code: risk for risk in dashboard.protection_risks(user=officer, round=published)}
    lighting = risks["pr_lighting_inadequate"]
    assert (lighting.places, lighting.reporting, lighting.by_state) == (1, 2, {"NG008": 1})
    assert AuditEvent.objects.filter(actor=officer, action="read").count() == 1


def test_member_reader_hides_protection_indicators_from_other_roles(published, viewer, operation):
    reader = dashboard.member_reader(user=viewer, operation=operation)
    assert reader.read(published, 0, ["pr_lighting_inadequate"]).values == {}


def test_round_key_changes_when_any_round_is_published(
    published, borno, manager, operation, form_version
):
    before = dashboard.round_key(published)
    publish(manager, operation, form_version, borno[2], 2, [S1_ROUND2, S2])
    assert dashboard.round_key(published) != before
