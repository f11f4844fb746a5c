"""The indicators API: the catalogue as the user may see it, and an operation's own entries."""

from opendtm.accounts.roles import Role
from opendtm.tracking.models import Indicator
from opendtm.tracking.services.indicators import IndicatorData, indicator_create
from tests.query_counts import assert_queries_do_not_grow
from tests.tracking.api.conftest import BASE

INDICATORS = f"{BASE}indicators/"
BOATS = {
    "code": "boat_arrivals",
    "label_en": "Boats arriving",
    "category": "population",
    "unit": "places",
    "aggregation": "stock",
    "hxl_tag": "#indicator+boats",
}


def codes_of(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def test_the_catalogue_shows_protection_indicators_to_officers_and_managers_only(
    api, viewer, officer
):
    codes = codes_of(viewer.get(INDICATORS, {"limit": 1000}))
    assert "idp_individuals" in codes
    assert not any(code.startswith("pr_") for code in codes)
    # Officers read protection figures; managers map and manage protection indicators.
    for client in (officer, api):
        assert "pr_lighting_inadequate" in codes_of(client.get(INDICATORS, {"limit": 1000}))
    assert viewer.get(f"{INDICATORS}pr_lighting_inadequate/").status_code == 404
    first = api.get(f"{INDICATORS}idp_individuals/").json()
    assert (first["unit"], first["aggregation"], first["builtin"]) == ("individuals", "stock", True)
    assert first["by_sex"] is True


def test_create_change_and_delete_an_own_indicator(api, viewer):
    created = api.post(INDICATORS, {**BOATS, "sensitivity": "restricted"}, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["builtin"], created.json()["label_fr"]) == (False, "")
    assert codes_of(api.get(INDICATORS, {"limit": 1000}))[-1] == "boat_arrivals"
    assert "boat_arrivals" not in codes_of(viewer.get(INDICATORS, {"limit": 1000}))  # restricted

    changed = api.patch(
        f"{INDICATORS}boat_arrivals/", {"label_fr": "Bateaux arrivant"}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["label_fr"], changed.json()["label_en"]) == (
        "Bateaux arrivant",
        "Boats arriving",
    )
    assert api.delete(f"{INDICATORS}boat_arrivals/").status_code == 204
    assert not Indicator.objects.filter(code="boat_arrivals").exists()


def test_mistakes_are_named(api, viewer):
    taken = api.post(INDICATORS, {**BOATS, "code": "idp_individuals"}, format="json")
    assert taken.status_code == 400
    assert [problem["field"] for problem in taken.json()["problems"]] == ["code"]
    wrong = api.post(INDICATORS, {**BOATS, "unit": "boats", "hxl_tag": "boats"}, format="json")
    assert [problem["field"] for problem in wrong.json()["problems"]] == ["unit"]
    builtin = api.patch(f"{INDICATORS}idp_individuals/", {"label_en": "IDPs"}, format="json")
    assert builtin.status_code == 400
    assert "built-in" in builtin.json()["message"]
    assert api.delete(f"{INDICATORS}idp_individuals/").status_code == 400
    assert viewer.post(INDICATORS, BOATS, format="json").status_code == 403
    assert not Indicator.objects.filter(code="boat_arrivals").exists()


def test_another_operations_indicators_are_not_found(api, outsider, member, other_operation):
    theirs = member(Role.DATA_MANAGER, other_operation, "theirs")
    indicator_create(actor=theirs, operation=other_operation, data=IndicatorData(**BOATS))
    assert api.get(f"{INDICATORS}boat_arrivals/").status_code == 404
    assert api.delete(f"{INDICATORS}boat_arrivals/").status_code == 404
    assert outsider.get(INDICATORS).status_code == 404


def test_list_queries_do_not_grow_with_indicators(
    api, manager, operation, django_assert_max_num_queries
):
    def add_rows(numbers):
        for number in numbers:
            data = IndicatorData(**{**BOATS, "code": f"boats_{number}"})
            indicator_create(actor=manager, operation=operation, data=data)

    assert_queries_do_not_grow(django_assert_max_num_queries, api, INDICATORS, add_rows, ceiling=6)
