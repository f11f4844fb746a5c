import pytest

from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.tracking.selectors.places import Place, figure_levels, level_parse, place_names
from tests.factories import AdminAreaFactory, SiteFactory
from tests.tracking.conftest import month_round


def test_levels_are_the_operations_admin_levels_then_sites(borno, manager, member, operation):
    site_round = month_round(manager, operation, 1)
    assert figure_levels(user=manager, round=site_round) == [1, 2, "site"]
    AdminAreaFactory(operation=operation, level=3, pcode="NG008001001", parent=borno[1][0])
    assert figure_levels(user=manager, round=site_round) == [1, 2, 3, "site"]
    viewer = member(Role.VIEWER, operation, "viewer")
    assert figure_levels(user=viewer, round=site_round) == [1, 2, 3]  # viewers see no sites
    site_round.assessment_type = "BA"
    assert figure_levels(user=manager, round=site_round) == [1, 2, 3]  # baseline: areas only


@pytest.mark.parametrize(
    ("text", "below", "expected"),
    [("", None, 1), ("2", None, 2), ("site", None, "site"), ("", 1, 2), ("", 2, "site")],
)
def test_a_level_is_read_from_the_query_or_follows_the_parent(text, below, expected):
    assert level_parse(text, [1, 2, "site"], below=below) == expected


@pytest.mark.parametrize(
    ("text", "below", "message", "hint"),
    [
        ("3", None, "Figures cannot be listed at level 3 here.", "Use one of: 1, 2, site."),
        ("x", None, "Figures cannot be listed at level x here.", "Use one of: 1, 2, site."),
        ("1", 1, "Figures cannot be listed at level 1 here.", "Use one of: 2, site."),
        ("", 99, "There is no level below this area to list.", "Pick an area of a higher level."),
    ],
)
def test_a_level_not_offered_is_refused_with_those_that_are(text, below, message, hint):
    with pytest.raises(ApplicationError) as refused:
        level_parse(text, [1, 2, "site"], below=below)
    assert (refused.value.message, refused.value.hint) == (message, hint)


def test_names_of_areas_and_sites_stay_in_the_operation(
    borno, manager, member, operation, other_operation
):
    _state, lgas, sites = borno
    elsewhere = AdminAreaFactory(operation=other_operation, level=1, pcode="SD01")
    foreign_site = SiteFactory(admin_area=elsewhere, code="SD-1")
    areas = place_names(user=manager, operation=operation, level=2, ids=[lgas[0].pk, elsewhere.pk])
    assert areas == {lgas[0].pk: Place(lgas[0].pk, "Abadam", "NG008001")}
    found = place_names(
        user=manager, operation=operation, level="site", ids=[sites[1].pk, foreign_site.pk]
    )
    assert found == {sites[1].pk: Place(sites[1].pk, sites[1].name, "S2")}
    with pytest.raises(Forbidden):
        place_names(
            user=member(Role.VIEWER, operation, "viewer"),
            operation=operation,
            level="site",
            ids=[sites[0].pk],
        )
