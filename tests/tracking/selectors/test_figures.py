"""Aggregation checked against figures computed by hand on a two-LGA fixture."""

import pytest

from opendtm.accounts.roles import Role
from opendtm.core.errors import Forbidden, NotFound
from opendtm.tracking.models import Round
from opendtm.tracking.selectors.figures import figures_by_level, latest_by_level, time_series
from opendtm.tracking.selectors.rounds import round_coverage
from opendtm.tracking.services.rounds import round_move, round_publish
from tests.factories import SiteFactory
from tests.tracking.conftest import assess, month_round

S1 = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "yes"}
S2 = {"idp_hh": 20, "idp_ind": 100, "idp_f": 60, "idp_m": 40, "need1": "shelter", "dark": "no"}


def rounds_of(borno, manager, operation, form_version, *, second_has_s2: bool):
    """Round 1 published: S1 and S2. Round 2: S1 grew from 50 to 80; S2 again if asked."""
    _state, _lgas, sites = borno
    first = month_round(manager, operation, 1)
    assess(form_version, sites[0], 1, **S1)
    assess(form_version, sites[1], 1, **S2)
    round_move(actor=manager, round=first, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=first)
    second = month_round(manager, operation, 2)
    assess(form_version, sites[0], 2, **{**S1, "idp_ind": 80, "idp_f": 50, "idp_m": 30})
    if second_has_s2:
        assess(form_version, sites[1], 2, **S2)
    return first, second


@pytest.fixture
def two_rounds(borno, manager, operation, form_version):
    return rounds_of(borno, manager, operation, form_version, second_has_s2=True)


def table(rows):
    return {(row.place_id, row.indicator, row.sex): (row.value, row.previous) for row in rows}


def test_state_totals_sum_places_within_a_round_never_across(two_rounds, borno, manager):
    first, second = two_rounds
    state = borno[0].pk
    rows = table(figures_by_level(user=manager, round=second, level=1))
    assert rows[(state, "idp_individuals", "")] == (180.0, 150.0)  # not 330: one round only
    assert rows[(state, "idp_individuals", "f")] == (110.0, 90.0)
    assert rows[(state, "idp_households", "")] == (30.0, 30.0)
    assert rows[(state, "need_rank_food", "")] == (1.0, 1.0)  # places ranking food first
    by_id = {
        (row.place_id, row.indicator, row.sex): row
        for row in figures_by_level(user=manager, round=second, level=1)
    }
    change = by_id[(state, "idp_individuals", "")]
    assert (change.change, change.change_percent) == (30.0, 20.0)
    assert table(figures_by_level(user=manager, round=first, level=1))[
        (state, "idp_individuals", "")
    ] == (150.0, None)


def test_lga_site_and_country_levels(two_rounds, borno, manager):
    _first, second = two_rounds
    _state, lgas, sites = borno
    lga = table(figures_by_level(user=manager, round=second, level=2, codes=["idp_individuals"]))
    assert lga[(lgas[0].pk, "idp_individuals", "")] == (80.0, 50.0)
    assert lga[(lgas[1].pk, "idp_individuals", "")] == (100.0, 100.0)
    site = table(
        figures_by_level(user=manager, round=second, level="site", codes=["idp_households"])
    )
    assert site == {
        (sites[0].pk, "idp_households", ""): (10.0, 10.0),
        (sites[1].pk, "idp_households", ""): (20.0, 20.0),
    }
    country = table(
        figures_by_level(user=manager, round=second, level=0, codes=["idp_individuals"])
    )
    assert country[(None, "idp_individuals", "")] == (180.0, 150.0)


def test_protection_indicators_only_for_protection_officers(
    two_rounds, borno, member, operation, manager
):
    first, _second = two_rounds
    state = borno[0].pk
    officer = member(Role.PROTECTION_OFFICER, operation, "protect")
    assert table(figures_by_level(user=officer, round=first, level=1))[
        (state, "pr_lighting_inadequate", "")
    ] == (1.0, None)
    for user in (manager, member(Role.VIEWER, operation, "viewer")):
        codes = {row.indicator for row in figures_by_level(user=user, round=first, level=1)}
        assert "pr_lighting_inadequate" not in codes
        assert "idp_individuals" in codes


def test_viewers_see_published_figures_only(
    two_rounds, member, operation, other_operation, manager
):
    first, second = two_rounds
    viewer = member(Role.VIEWER, operation, "viewer")
    assert figures_by_level(user=viewer, round=first, level=1)
    with pytest.raises(NotFound):
        figures_by_level(user=viewer, round=second, level=1)  # a draft is for reviewers
    outsider = member(Role.DATA_MANAGER, other_operation, "outsider")
    with pytest.raises(NotFound):
        figures_by_level(user=outsider, round=first, level=1)


def test_the_query_count_does_not_grow_with_places(
    two_rounds, manager, django_assert_max_num_queries
):
    _first, second = two_rounds
    with django_assert_max_num_queries(8):
        figures_by_level(user=manager, round=second, level="site")


def test_latest_takes_each_place_from_its_own_latest_round(borno, manager, operation, form_version):
    """S1 is assessed in rounds 1 and 2, S2 only in round 1: latest = 80 + 100, not 230."""
    lgas = borno[1]
    _first, second = rounds_of(borno, manager, operation, form_version, second_has_s2=False)
    round_move(actor=manager, round=second, status=Round.Status.VALIDATING)
    round_publish(actor=manager, round=second)
    rows = latest_by_level(
        user=manager, operation=operation, assessment_type="SA", level=2, codes=["idp_individuals"]
    )
    assert [(row.place_id, row.value, row.round_number) for row in rows] == [
        (lgas[0].pk, 80.0, 2),
        (lgas[1].pk, 100.0, 1),
    ]
    series = time_series(user=manager, area=borno[0], assessment_type="SA", code="idp_individuals")
    assert [(number, total) for number, _end, total in series] == [(1, 150.0), (2, 80.0)]


def test_coverage_names_missing_and_new_sites(borno, manager, member, operation, form_version):
    _state, lgas, sites = borno
    extra = SiteFactory(admin_area=lgas[0], code="S3")
    SiteFactory(admin_area=lgas[0], code="S4", status="closed")  # closed: not expected
    month_round(manager, operation, 1)
    assess(form_version, sites[0], 1, **S1)
    second = month_round(manager, operation, 2)
    assess(form_version, sites[0], 2, approved=False, **S1)  # received, not yet approved: counts
    assess(form_version, extra, 2, **S2)
    coverage = round_coverage(user=manager, round=second)
    assert coverage.expected == 3
    assert coverage.assessed == {sites[0].pk, extra.pk}
    assert coverage.missing == {sites[1].pk}
    assert coverage.new == {extra.pk}
    with pytest.raises(Forbidden):
        round_coverage(user=member(Role.VIEWER, operation, "viewer"), round=second)


def test_in_a_site_assessment_places_are_sites_not_areas(two_rounds, borno, manager, form_version):
    _first, second = two_rounds
    _state, lgas, _sites = borno
    assess(form_version, SiteFactory(admin_area=lgas[0], code="S9"), 2, **S2)
    places = {
        (row.place_id, row.indicator): row.places
        for row in figures_by_level(user=manager, round=second, level=2)
        if row.sex == "" and row.age_band == ""
    }
    assert places[(lgas[0].pk, "idp_individuals")] == 2  # two camps in one LGA
    assert places[(lgas[1].pk, "idp_individuals")] == 1
