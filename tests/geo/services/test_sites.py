import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.core.errors import ApplicationError, Forbidden
from opendtm.geo.models import Site, SiteAreaMatch
from opendtm.geo.services.sites import SiteData, site_area_match_decide, site_create, site_update
from tests.factories import AdminAreaFactory, SiteAreaMatchFactory, SiteFactory


def data(**values) -> SiteData:
    return SiteData(**{"code": "S1", "name": "Dalori Camp", "site_type": "camp", **values})


def test_a_site_with_coordinates_only_is_placed_in_its_area(operation, admin_user, tiny_geo):
    site = site_create(
        actor=admin_user, operation=operation, data=data(latitude=11.7, longitude=13.7)
    )
    assert site.admin_area == tiny_geo["jere"]
    assert site.outside_area is False
    event = AuditEvent.objects.get(action="create", object_type="geo.site")
    assert event.after["code"] == "S1"


def test_a_site_outside_its_area_is_flagged(operation, admin_user, tiny_geo):
    site = site_create(
        actor=admin_user,
        operation=operation,
        data=data(admin_area=tiny_geo["maiduguri"], latitude=11.7, longitude=13.7),
    )
    assert site.outside_area is True


def test_a_taken_code_half_coordinates_and_a_foreign_area_are_all_reported(
    operation, admin_user, tiny_geo, other_operation
):
    SiteFactory(admin_area=tiny_geo["jere"], code="S1")
    foreign = AdminAreaFactory(operation=other_operation, pcode="SD01")
    with pytest.raises(ApplicationError) as caught:
        site_create(
            actor=admin_user, operation=operation, data=data(admin_area=foreign, latitude=11.7)
        )
    assert [problem.field for problem in caught.value.problems] == [
        "code",
        "admin_area",
        "latitude",
    ]
    assert Site.objects.count() == 1


def test_an_update_records_what_changed(operation, admin_user, tiny_geo):
    site = SiteFactory(admin_area=tiny_geo["jere"], code="S1", name="Dalori Camp")
    site_update(
        actor=admin_user, site=site, data=data(name="Dalori 2", admin_area=tiny_geo["jere"])
    )
    event = AuditEvent.objects.get(action="update")
    assert (event.before, event.after) == ({"name": "Dalori Camp"}, {"name": "Dalori 2"})


def test_a_viewer_cannot_create_sites(operation, member, tiny_geo):
    with pytest.raises(Forbidden):
        site_create(actor=member(Role.VIEWER, operation), operation=operation, data=data())


@pytest.fixture
def match(operation, tiny_geo):
    site = SiteFactory(operation=operation, admin_area=None, latitude=11.7, longitude=13.7)
    return SiteAreaMatchFactory(site=site, suggested_area=tiny_geo["maiduguri"])


def test_confirming_a_match_applies_its_area(admin_user, match, tiny_geo):
    site_area_match_decide(actor=admin_user, match=match, accept=True)
    match.refresh_from_db()
    assert match.status == SiteAreaMatch.Status.CONFIRMED
    assert match.decided_by == admin_user
    assert match.decided_at is not None
    site = Site.objects.get(pk=match.site_id)
    assert site.admin_area == tiny_geo["maiduguri"]
    assert site.outside_area is True  # its point lies in Jere
    assert AuditEvent.objects.filter(object_type="geo.site", action="update").exists()


def test_rejecting_a_match_leaves_the_site_without_area(admin_user, match):
    site_area_match_decide(actor=admin_user, match=match, accept=False)
    assert SiteAreaMatch.objects.get(pk=match.pk).status == SiteAreaMatch.Status.REJECTED
    assert Site.objects.get(pk=match.site_id).admin_area is None


def test_a_match_is_decided_once(admin_user, match):
    site_area_match_decide(actor=admin_user, match=match, accept=False)
    with pytest.raises(ApplicationError, match="decided already"):
        site_area_match_decide(actor=admin_user, match=match, accept=True)
    assert Site.objects.get(pk=match.site_id).admin_area is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR])
def test_viewers_and_enumerators_cannot_decide(operation, member, match, role):
    with pytest.raises(Forbidden):
        site_area_match_decide(actor=member(role, operation), match=match, accept=True)
    assert SiteAreaMatch.objects.get(pk=match.pk).status == SiteAreaMatch.Status.PENDING
