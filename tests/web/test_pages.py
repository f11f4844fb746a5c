"""Every page renders real content for the roles that may see it, and refuses the others."""

import pytest
from django.urls import reverse

from opendtm.accounts.models import AuditEvent, Membership
from opendtm.accounts.roles import Role
from opendtm.geo.models import Site
from tests.factories import MembershipFactory, OperationFactory


def url(name, operation, **kwargs):
    return reverse(f"web:{name}", kwargs={"slug": operation.slug, **kwargs})


def test_signed_out_visitors_are_sent_to_sign_in(client, operation):
    response = client.get(url("operation", operation))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_sign_in_then_home_lists_the_users_operations(client, member, operation, other_operation):
    user = member(Role.VIEWER, operation, "amina")
    user.set_password("a-long-password-1")
    user.save()
    response = client.post(
        reverse("web:login"), {"username": "amina", "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    page = client.get(reverse("web:home")).content.decode()
    assert "Nigeria North-East" in page
    assert "Viewer" in page
    assert "Sudan" not in page


def test_overview_counts_areas_per_level_and_sites(signed_in, operation, geography):
    page = signed_in().get(url("operation", operation)).content.decode()
    assert 'data-level="1">2<' in page  # two states
    assert 'data-figure="sites">3<' in page


def test_area_tree_shows_the_top_level_and_the_map(signed_in, operation, geography):
    response = signed_in(Role.VIEWER).get(url("areas", operation))
    page = response.content.decode()
    assert "Nigeria" in page
    assert 'id="map"' in page
    children = (
        signed_in(Role.VIEWER).get(url("area-children", operation, pcode="NG")).content.decode()
    )
    assert "Borno" in children
    assert "Yobe" in children


def test_area_page_accepts_an_iso3_pcode_and_redirects_to_the_operations_form(
    signed_in, operation, geography
):
    client = signed_in(Role.VIEWER)
    assert client.get(url("area", operation, pcode="NGA008")).url == url(
        "area", operation, pcode="NG008"
    )
    page = client.get(url("area", operation, pcode="NG008")).content.decode()
    assert "Maiduguri" in page
    assert "Nigeria" in page


def test_a_viewer_sees_areas_but_not_sites(signed_in, operation, geography):
    client = signed_in(Role.VIEWER)
    assert client.get(url("sites", operation)).status_code == 403
    page = client.get(url("area", operation, pcode="NG008")).content.decode()
    assert "Bakassi" not in page


def test_site_list_filters_by_type_area_and_text(signed_in, operation, geography):
    client = signed_in(Role.ENUMERATOR)
    page = client.get(url("sites", operation)).content.decode()
    assert all(name in page for name in ["Bakassi Camp", "Dalori Host Community", "Damaturu"])
    in_borno = client.get(url("sites", operation), {"area": "NG008"}).content.decode()
    assert "Bakassi Camp" in in_borno
    assert "Damaturu" not in in_borno
    camps = client.get(url("sites", operation), {"type": "camp"}).content.decode()
    assert "Bakassi Camp" in camps
    assert "Dalori" not in camps
    found = client.get(url("sites", operation), {"q": "dalori"}, HTTP_HX_REQUEST="true")
    assert "Dalori" in found.content.decode()
    assert "<html" not in found.content.decode()


def test_site_list_queries_do_not_grow_with_rows(
    signed_in, operation, geography, django_assert_max_num_queries
):
    from tests.factories import SiteFactory

    client = signed_in(Role.DATA_MANAGER)
    for number in range(40):
        SiteFactory(admin_area=geography["maiduguri"], code=f"EXTRA-{number}")
    with django_assert_max_num_queries(12):
        assert client.get(url("sites", operation)).status_code == 200


def test_an_enumerator_cannot_create_sites(signed_in, operation, geography):
    response = signed_in(Role.ENUMERATOR).post(url("site-new", operation), {})
    assert response.status_code == 403


def test_a_data_manager_creates_and_edits_a_site(signed_in, operation, geography):
    client = signed_in(Role.DATA_MANAGER)
    response = client.post(
        url("site-new", operation),
        {
            "code": "NEW-1",
            "name": "Muna Garage",
            "site_type": "camp",
            "status": "open",
            "pcode": "",
            "latitude": "11.1",
            "longitude": "13.1",
            "aliases": "Muna; Muna El Badawy",
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(code="NEW-1")
    assert site.admin_area == geography["maiduguri"]  # placed by its coordinates
    assert site.aliases == ["Muna", "Muna El Badawy"]
    response = client.post(
        url("site-edit", operation, code="NEW-1"),
        {
            "code": "NEW-1",
            "name": "Muna Garage Camp",
            "site_type": "camp",
            "status": "closed",
            "pcode": "NG008021",
            "latitude": "10.2",
            "longitude": "12.2",
            "aliases": "",
        },
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.status == "closed"
    assert site.outside_area
    event = AuditEvent.objects.filter(object_type="geo.site", action="update").latest("id")
    assert event.before["name"] == "Muna Garage"
    assert event.after["name"] == "Muna Garage Camp"


def test_a_site_form_with_an_unknown_pcode_says_so(signed_in, operation, geography):
    response = signed_in(Role.DATA_MANAGER).post(
        url("site-new", operation),
        {
            "code": "NEW-2",
            "name": "X",
            "site_type": "camp",
            "status": "open",
            "pcode": "NG099001",
        },
    )
    assert response.status_code == 200
    assert "NG099001 is not an admin area of this operation" in response.content.decode()
    assert not Site.objects.filter(code="NEW-2").exists()


def test_site_detail_shows_area_and_coordinates(signed_in, operation, geography):
    page = signed_in(Role.ENUMERATOR).get(url("site", operation, code="MMC-01")).content.decode()
    assert "Bakassi Camp" in page
    assert "Maiduguri" in page
    assert "11.2" in page


def test_members_page_lists_people_and_audits_the_read(signed_in, operation, member):
    member(Role.ENUMERATOR, operation, "musa")
    client = signed_in(Role.OPERATION_ADMIN)
    page = client.get(url("members", operation)).content.decode()
    assert "musa" in page
    assert "Enumerator" in page
    assert AuditEvent.objects.filter(action="read", object_type="accounts.membership").exists()


def test_an_admin_creates_an_account_whose_password_is_shown_once(signed_in, operation):
    client = signed_in(Role.OPERATION_ADMIN)
    response = client.post(
        url("members", operation),
        {
            "create": "1",
            "new-username": "fatima",
            "new-full_name": "Fatima Bello",
            "new-email": "fatima@example.org",
            "new-roles": ["enumerator"],
        },
    )
    assert "fatima" in response.content.decode()
    assert 'class="secret"' in response.content.decode()
    assert Membership.objects.filter(user__username="fatima", role="enumerator").exists()


def test_an_admin_cannot_grant_the_protection_role(signed_in, operation, member):
    member(Role.VIEWER, operation, "musa")
    response = signed_in(Role.OPERATION_ADMIN).post(
        url("members", operation),
        {"add": "1", "add-username": "musa", "add-role": "protection_officer"},
    )
    assert response.status_code == 403


def test_audit_page_lists_events_and_exports_csv(signed_in, operation, geography):
    client = signed_in(Role.OPERATION_ADMIN)
    client.post(
        url("site-edit", operation, code="MMC-01"),
        {
            "code": "MMC-01",
            "name": '=HYPERLINK("http://x")',
            "site_type": "camp",
            "status": "open",
            "pcode": "NG008021",
            "latitude": "11.2",
            "longitude": "13.2",
        },
    )
    page = client.get(url("audit", operation)).content.decode()
    assert "geo.site" in page
    export = client.get(url("audit-export", operation))
    body = b"".join(export.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert AuditEvent.objects.filter(action="export").exists()


def test_a_data_manager_cannot_read_the_audit_log(signed_in, operation):
    assert signed_in(Role.DATA_MANAGER).get(url("audit", operation)).status_code == 403


def test_tokens_page_creates_shows_once_and_revokes(client, member, operation):
    user = member(Role.VIEWER, operation)
    client.force_login(user)
    page = client.post(reverse("web:tokens"), {"name": "nightly export"}).content.decode()
    assert "odtm_" in page
    assert 'id="new-key"' in page
    token = user.api_tokens.get()
    assert 'id="new-key"' not in client.get(reverse("web:tokens")).content.decode()
    client.post(reverse("web:token-revoke", kwargs={"token_id": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_superuser_creates_an_operation(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("web:operation-new"),
        {
            "name": "Sudan Darfur",
            "slug": "",
            "country": "Sudan",
            "admin_level_names": "Country, State, Locality",
            "pcode_style": "iso2",
            "default_language": "ar",
            "suppression_threshold": "5",
        },
    )
    assert response.status_code == 302
    assert response.url == "/ops/sudan-darfur/"


def test_others_cannot_create_operations(signed_in):
    assert signed_in(Role.OPERATION_ADMIN).get(reverse("web:operation-new")).status_code == 403


def test_settings_update_is_audited(signed_in, operation):
    response = signed_in(Role.OPERATION_ADMIN).post(
        url("operation-settings", operation),
        {
            "name": "Nigeria NE",
            "admin_level_names": "Country, State, LGA",
            "default_language": "fr",
            "suppression_threshold": "10",
        },
    )
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.suppression_threshold == 10
    assert operation.admin_level_names == [
        "Country",
        "State",
        "LGA",
    ]


@pytest.mark.parametrize(
    ("language", "direction", "word"),
    [
        ("fr", "ltr", "Zones administratives"),
        ("ar", "rtl", 'dir="rtl"'),
        ("en", "ltr", "Admin areas"),
    ],
)
def test_pages_follow_the_chosen_language(signed_in, operation, language, direction, word):
    client = signed_in()
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(url("operation", operation)).content.decode()
    assert f'dir="{direction}"' in page
    assert word in page


def test_home_costs_the_same_queries_for_many_operations(
    client, member, django_assert_max_num_queries
):
    user = member(Role.VIEWER, OperationFactory())
    for _ in range(10):
        MembershipFactory(user=user, operation=OperationFactory(), role=Role.VIEWER)
        member(Role.ENUMERATOR, OperationFactory())  # someone else's operation
    client.force_login(user)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("web:home")).content.decode()
    assert page.count("Viewer") == 11


def test_level_names_may_be_separated_by_arabic_commas(signed_in, operation):
    signed_in(Role.OPERATION_ADMIN).post(
        url("operation-settings", operation),
        {
            "name": "Soudan",
            "admin_level_names": "البلد، الولاية، المحلية",
            "default_language": "ar",
            "suppression_threshold": "5",
        },
    )
    operation.refresh_from_db()
    assert operation.admin_level_names == ["البلد", "الولاية", "المحلية"]
