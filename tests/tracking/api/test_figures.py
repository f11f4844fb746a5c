"""The figures API, checked against figures computed by hand (see tests/tracking/api/conftest):
a round's per level with change, the latest per place, and an area's time series."""

import pytest

from opendtm.tracking.models import Round
from opendtm.tracking.services.rounds import round_correct, round_move, round_publish
from tests.factories import SiteFactory
from tests.query_counts import assert_queries_do_not_grow
from tests.tracking.api.conftest import BASE, ROUNDS, S1, S2
from tests.tracking.conftest import assess, month_round

FIGURES = f"{ROUNDS}SA/2/figures/"
LATEST = f"{BASE}figures/latest/"
SERIES = f"{BASE}areas/NG008/time-series/"


def rows_of(response) -> dict:
    assert response.status_code == 200, response.json()
    return {
        ((row["place"] or {}).get("code"), row["indicator"], row["sex"]): row
        for row in response.json()["results"]
    }


def test_state_figures_sum_places_within_the_round_with_change(api, tracked):
    rows = rows_of(api.get(FIGURES, {"level": 1}))
    total = rows[("NG008", "idp_individuals", "")]
    assert total["place"]["name"] == "Borno"
    assert (total["value"], total["previous"], total["places"]) == (180.0, 150.0, 2)
    assert (total["change"], total["change_percent"]) == (30.0, 20.0)
    assert rows[("NG008", "idp_individuals", "m")]["value"] == 75.0  # 30 + 45
    assert rows[("NG008", "need_rank_food", "")]["value"] == 1.0  # places ranking food first


def test_lga_site_and_country_levels(api, tracked):
    lga = rows_of(api.get(FIGURES, {"level": 2, "indicator": "idp_individuals"}))
    assert {key: row["value"] for key, row in lga.items() if not key[2]} == {
        ("NG008001", "idp_individuals", ""): 80.0,
        ("NG008002", "idp_individuals", ""): 100.0,
    }
    assert lga[("NG008001", "idp_individuals", "")]["change_percent"] == 60.0
    sites = rows_of(api.get(FIGURES, {"level": "site", "indicator": ["idp_households"]}))
    assert {key: row["value"] for key, row in sites.items()} == {
        ("S1", "idp_households", ""): 10.0,
        ("S2", "idp_households", ""): 20.0,
    }
    country = rows_of(api.get(FIGURES, {"level": 0, "indicator": "idp_individuals"}))
    assert country[(None, "idp_individuals", "")]["value"] == 180.0


def test_drill_down_to_the_sites_of_one_lga(api, tracked):
    sites = rows_of(api.get(FIGURES, {"level": "site", "area": "NG008001"}))
    assert {key[0] for key in sites} == {"S1"}
    refused = api.get(FIGURES, {"level": "site", "area": "NG999"})
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "area"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "level"),
        ({"level": 4}, "level"),
        ({"level": "sites"}, "level"),
        ({"level": 1, "indicator": "no_such_thing"}, "indicator"),
    ],
)
def test_bad_parameters_are_refused_naming_them(api, tracked, query, field):
    refused = api.get(FIGURES, query)
    assert refused.status_code == 400
    assert [problem["field"] for problem in refused.json()["problems"]] == [field]
    assert refused.json()["problems"][0]["where"] == "query string"


def test_protection_rows_only_for_protection_officers(api, officer, viewer, tracked):
    first = f"{ROUNDS}SA/1/figures/"
    rows = rows_of(officer.get(first, {"level": 1}))
    assert rows[("NG008", "pr_lighting_inadequate", "")]["value"] == 1.0  # S1 says yes
    for client in (api, viewer):
        codes = {key[1] for key in rows_of(client.get(first, {"level": 1}))}
        assert "idp_individuals" in codes
        assert not any(code.startswith("pr_") for code in codes)
        asked = client.get(first, {"level": 1, "indicator": "pr_lighting_inadequate"})
        assert asked.status_code == 400


def test_a_viewer_sees_published_figures_and_no_draft(viewer, outsider, tracked):
    assert rows_of(viewer.get(f"{ROUNDS}SA/1/figures/", {"level": 2}))
    assert viewer.get(FIGURES, {"level": 2}).status_code == 404  # round 2 is a draft
    assert viewer.get(f"{ROUNDS}SA/1/figures/", {"level": "site"}).status_code == 403
    assert outsider.get(f"{ROUNDS}SA/1/figures/", {"level": 2}).status_code == 404
    assert outsider.get(LATEST, {"assessment_type": "SA", "level": 2}).status_code == 404


def test_figures_queries_do_not_grow_with_places(
    api, tracked, borno, form_version, django_assert_max_num_queries
):
    lga = borno[1][0]

    def add_rows(numbers):
        for number in numbers:
            assess(form_version, SiteFactory(admin_area=lga, code=f"X{number}"), 2, **S1)

    url = f"{FIGURES}?level=site&indicator=idp_individuals"
    body = assert_queries_do_not_grow(django_assert_max_num_queries, api, url, add_rows, ceiling=14)
    assert body["count"] == (2 + 31) * 3  # the total and both sexes per site


S1_GROWN = {**S1, "idp_ind": 80, "idp_f": 50, "idp_m": 30}


@pytest.fixture
def published(borno, manager, operation, form_version):
    """Round 1 (S1 50 IDPs, S2 100) and round 2 (S1 alone, 80) both published."""
    _state, _lgas, sites = borno
    rounds = []
    for month, assessed in ((1, [(sites[0], S1), (sites[1], S2)]), (2, [(sites[0], S1_GROWN)])):
        rounds.append(month_round(manager, operation, month))
        for site, values in assessed:
            assess(form_version, site, month, **values)
        round_move(actor=manager, round=rounds[-1], status=Round.Status.VALIDATING)
        round_publish(actor=manager, round=rounds[-1])
    return rounds


def test_latest_takes_each_place_from_its_own_latest_round(viewer, published):
    """Abadam's latest is round 2 (80), Askira's round 1 (100): never a sum across rounds."""
    query = {"assessment_type": "SA", "level": 2, "indicator": "idp_individuals"}
    rows = viewer.get(LATEST, query).json()["results"]
    assert [(row["place"]["code"], row["value"], row["round_number"]) for row in rows] == [
        ("NG008001", 80.0, 2),
        ("NG008002", 100.0, 1),
    ]
    assert rows[0]["period_end"] == "2026-02-28"


def test_latest_without_indicators_gives_all_the_user_may_see(viewer, published):
    rows = viewer.get(LATEST, {"assessment_type": "SA", "level": 1}).json()["results"]
    codes = {row["indicator"] for row in rows}
    assert {"idp_individuals", "idp_households"} <= codes
    assert not any(code.startswith("pr_") for code in codes)
    refused = viewer.get(LATEST, {"level": 1})
    assert [problem["field"] for problem in refused.json()["problems"]] == ["assessment_type"]


def test_latest_queries_do_not_grow_with_places(
    api, manager, published, borno, form_version, django_assert_max_num_queries
):
    lga = borno[1][0]

    def add_rows(numbers):
        round_correct(actor=manager, round=published[0], reason="sites added")
        for number in numbers:
            assess(form_version, SiteFactory(admin_area=lga, code=f"X{number}"), 1, **S1)
        round_publish(actor=manager, round=published[0])

    url = f"{LATEST}?assessment_type=SA&level=site&indicator=idp_individuals"
    body = assert_queries_do_not_grow(django_assert_max_num_queries, api, url, add_rows, ceiling=10)
    assert body["count"] == 2 + 31


def test_time_series_of_an_area_round_after_round(viewer, published):
    series = viewer.get(SERIES, {"assessment_type": "SA", "indicator": "idp_individuals"})
    assert series.status_code == 200
    assert [(point["round_number"], point["value"]) for point in series.json()] == [
        (1, 150.0),
        (2, 80.0),
    ]
    assert (
        viewer.get(SERIES.replace("NG008", "NG009"), {"assessment_type": "SA"}).status_code == 404
    )
    refused = viewer.get(SERIES, {"assessment_type": "SA", "indicator": "pr_lighting_inadequate"})
    assert [problem["field"] for problem in refused.json()["problems"]] == ["indicator"]
