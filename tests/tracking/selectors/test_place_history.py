"""A site's and an admin area's history over the published rounds, checked against numbers
computed by hand on Borno's two LGAs with a site each (S1 in Abadam, S2 in Askira/Uba).

Round 1: S1 50 IDPs in 10 households, S2 100 in 20. Round 2: S1 alone, 80 in 16. Round 3:
S1 60 in 12, S2 120 in 25. Round 4 is a draft (S1 999) and never shows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.accounts.selectors.operations import forget_capabilities
from opendtm.core.errors import NotFound
from opendtm.tracking.selectors.place_history import (
    area_children_latest,
    area_history,
    site_history,
)
from tests.publishing.conftest import publish
from tests.tracking.conftest import assess, month_round, tracked_form

FORM = """
| survey |
| | type | name | label | indicator | indicator_sex | indicator_value |
| | text | site_code | Site code | | | |
| | integer | idp_hh | IDP households | idp_households | | |
| | integer | idp_ind | IDP individuals | idp_individuals | | |
| | select_one needs | need1 | First need | need_rank_* | | 1 |
| | select_one needs | need2 | Second need | need_rank_* | | 2 |
| | select_one yn | water | Drinking water? | svc_drinking_water | | |
| | select_one yn | dark | Lighting inadequate? | pr_lighting_inadequate | | |
| choices |
| | list_name | name | label |
| | needs | food | Food |
| | needs | shelter | Shelter |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_title | form_id | version |
| | Site assessment | site_assessment | 2026010101 |
"""


def answers(households: int, individuals: int, first: str, second: str, yes: bool) -> dict:
    return {
        "idp_hh": households,
        "idp_ind": individuals,
        "need1": first,
        "need2": second,
        "water": "yes" if yes else "no",
        "dark": "yes" if yes else "no",
    }


@pytest.fixture
def version(operation):
    return tracked_form(operation, FORM)


@pytest.fixture
def rounds(borno, manager, operation, version):
    s1, s2 = borno[2]
    publish(
        manager,
        operation,
        version,
        [s1, s2],
        1,
        [answers(10, 50, "food", "shelter", True), answers(20, 100, "shelter", "food", False)],
    )
    publish(manager, operation, version, [s1], 2, [answers(16, 80, "shelter", "food", False)])
    publish(
        manager,
        operation,
        version,
        [s1, s2],
        3,
        [answers(12, 60, "food", "shelter", True), answers(25, 120, "food", "shelter", False)],
    )
    month_round(manager, operation, 4)
    assess(version, s1, 4, **answers(1, 999, "shelter", "food", False))


def figures(history) -> list[tuple]:
    return [
        (
            row.round.number,
            row.individuals,
            row.households,
            row.individuals_change,
            row.households_change,
        )
        for row in history.rows
    ]


def test_a_site_history_over_published_rounds_only(rounds, borno, manager):
    s1, s2 = borno[2]
    assert figures(site_history(user=manager, site=s1)) == [
        (1, 50.0, 10.0, None, None),
        (2, 80.0, 16.0, 30.0, 6.0),
        (3, 60.0, 12.0, -20.0, -4.0),
    ]  # no round 4: a draft, even for a manager who reviews it
    assert figures(site_history(user=manager, site=s2)) == [
        (1, 100.0, 20.0, None, None),
        (2, None, None, None, None),  # not assessed in round 2: no figure, no change
        (3, 120.0, 25.0, None, None),
    ]


def test_a_site_latest_needs_are_its_ranks_and_answers(rounds, borno, manager):
    history = site_history(user=manager, site=borno[2][0])
    needs = history.needs
    assert needs.round.number == 3
    assert [(need.code, need.value) for need in needs.ranked] == [
        ("need_rank_food", 1.0),
        ("need_rank_shelter", 2.0),
    ]
    assert [(need.code, need.value) for need in needs.services] == [("svc_drinking_water", 1.0)]
    assert needs.protection == []  # a data manager is not a protection role


def test_a_site_assessments_link_each_round_to_its_submissions(rounds, borno, manager, member):
    s1 = borno[2][0]
    history = site_history(user=manager, site=s1)
    assert history.sources_shown
    by_round = {row.round.number: row.sources for row in history.rows}
    assert [len(by_round[number]) for number in (1, 2, 3)] == [1, 1, 1]
    submission = s1.submissions.get(received_at__month=2)
    assert by_round[2][0].submission_id == submission.pk
    assert by_round[2][0].form_id == "site_assessment"
    viewer = member(Role.ENUMERATOR, s1.operation, "field")  # sees sites, not submissions
    hidden = site_history(user=viewer, site=s1)
    assert not hidden.sources_shown
    assert all(row.sources == [] for row in hidden.rows)
    assert figures(hidden) == figures(history)


def test_an_area_history_from_its_stored_level_figures(rounds, borno, manager):
    state, lgas, _sites = borno
    history = area_history(user=manager, area=state)
    assert history.assessment_type == "SA"
    assert figures(history) == [
        (1, 150.0, 30.0, None, None),
        (2, 80.0, 16.0, -70.0, -14.0),
        (3, 180.0, 37.0, 100.0, 21.0),
    ]
    assert figures(area_history(user=manager, area=lgas[1]))[1] == (2, None, None, None, None)
    needs = history.needs
    # Round 3: both sites rank food first, none shelter; one of the two has drinking water.
    assert [(need.code, need.value, need.places) for need in needs.ranked] == [
        ("need_rank_food", 2.0, 2),
        ("need_rank_shelter", 0.0, 2),
    ]
    assert [(need.code, need.value, need.places) for need in needs.services] == [
        ("svc_drinking_water", 1.0, 2)
    ]
    counts = {
        row.round.number: [(form.form_id, form.count) for form in row.sources]
        for row in history.rows
    }
    assert counts == {
        1: [("site_assessment", 2)],
        2: [("site_assessment", 1)],
        3: [("site_assessment", 2)],
    }


def test_an_area_children_with_their_latest_totals(rounds, borno, manager):
    state, lgas, _sites = borno
    rows = area_children_latest(user=manager, area=state, assessment_type="SA")
    assert [
        (row.area.pcode, row.individuals.value, row.individuals.round_number, row.households.value)
        for row in rows
    ] == [("NG008001", 60.0, 3, 12.0), ("NG008002", 120.0, 3, 25.0)]


def test_protection_figures_only_for_protection_roles_and_audited(rounds, borno, member, operation):
    state, _lgas, sites = borno
    viewer = member(Role.VIEWER, operation, "viewer")
    assert area_history(user=viewer, area=state).needs.protection == []
    officer = member(Role.PROTECTION_OFFICER, operation, "protect")
    needs = area_history(user=officer, area=state).needs
    assert [(need.code, need.value, need.places) for need in needs.protection] == [
        ("pr_lighting_inadequate", 1.0, 2)
    ]
    site = site_history(user=officer, site=sites[0]).needs
    assert [(need.code, need.value) for need in site.protection] == [
        ("pr_lighting_inadequate", 1.0)
    ]
    reads = AuditEvent.objects.filter(actor=officer, action=AuditEvent.Action.READ)
    assert sorted(reads.values_list("object_id", flat=True)) == ["NG008", "S1"]
    assert not AuditEvent.objects.filter(actor=viewer, action=AuditEvent.Action.READ).exists()


def test_an_outsider_finds_nothing(rounds, borno, member, other_operation):
    state, _lgas, sites = borno
    outsider = member(Role.OPERATION_ADMIN, other_operation, "outsider")
    with pytest.raises(NotFound):
        site_history(user=outsider, site=sites[0])
    with pytest.raises(NotFound):
        area_history(user=outsider, area=state)


def test_another_assessment_type_is_asked_for_by_name(rounds, borno, manager):
    history = area_history(user=manager, area=borno[0], assessment_type="BA")
    assert history.assessment_type == "SA"  # no published baseline round: the one there is
    assert history.types == [("SA", "Site assessment")]


def test_queries_do_not_grow_with_rounds(borno, manager, operation, version):
    state, _lgas, sites = borno
    one = answers(10, 50, "food", "shelter", True)

    def count() -> int:
        forget_capabilities(manager)  # cached per user object: count their query each time
        with CaptureQueriesContext(connection) as site_queries:
            site_history(user=manager, site=sites[0])
        with CaptureQueriesContext(connection) as area_queries:
            history = area_history(user=manager, area=state)
            area_children_latest(user=manager, area=state, assessment_type=history.assessment_type)
        return len(site_queries) + len(area_queries)

    publish(manager, operation, version, sites, 1, [one, one])
    few = count()
    for number in range(2, 6):
        publish(manager, operation, version, sites, number, [one, one])
    assert count() == few
