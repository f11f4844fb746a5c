"""The dashboard's page and JSON parts, for members and for the public view: who sees what,
the cache validators, the CSV, and query counts that do not grow with the places."""

import pytest

from opendtm.accounts.models import AuditEvent
from opendtm.accounts.roles import Role
from opendtm.geo.models import Site
from opendtm.tracking.models import Figure, Indicator, RoundRevision
from tests.factories import BoundedAreaFactory, SiteFactory
from tests.publishing.conftest import published
from tests.query_counts import assert_queries_do_not_grow
from tests.tracking.conftest import borno, form_version, manager

__all__ = ["borno", "form_version", "manager", "published"]

DATA = "/ops/nga-ne/dashboard/SA/1/"
PUBLIC = "/public/nga-ne/rounds/SA/1/"


@pytest.fixture
def viewer_client(client, member, operation):
    client.force_login(member(Role.VIEWER, operation, "viewer"))
    return client


@pytest.fixture
def no_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def public(operation):
    operation.public_dashboard = True
    operation.save(update_fields=["public_dashboard"])
    return operation


def test_page_shows_the_latest_round_without_the_restricted_panel(published, viewer_client):
    response = viewer_client.get("/ops/nga-ne/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-round="SA-1"' in html
    assert "restricted-panel" not in html
    assert "restricted.json" not in html
    assert "vendor/vega/vega-embed.min.js" in html


def test_page_has_the_restricted_panel_for_protection_roles(published, client, member, operation):
    client.force_login(member(Role.PROTECTION_OFFICER, operation, "officer"))
    assert "restricted-panel" in client.get("/ops/nga-ne/dashboard/").content.decode()


def test_restricted_part_refused_to_a_viewer_and_audited_for_an_officer(
    published, viewer_client, client, member, operation
):
    assert viewer_client.get(f"{DATA}restricted.json").status_code == 403
    client.force_login(member(Role.PROTECTION_OFFICER, operation, "officer"))
    response = client.get(f"{DATA}restricted.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    codes = [risk["code"] for risk in response.json()["risks"]]
    assert "pr_lighting_inadequate" in codes
    assert AuditEvent.objects.filter(action="read", object_type="tracking.round").count() == 1


def test_headlines_and_a_repeat_visit_answered_304(published, viewer_client):
    response = viewer_client.get(f"{DATA}headlines.json")
    cards = {card["code"]: card for card in response.json()["cards"]}
    assert cards["idp_individuals"]["value"] == 53
    assert response["Cache-Control"] == "private, no-cache"
    again = viewer_client.get(f"{DATA}headlines.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_charts_are_the_report_specs(published, viewer_client):
    trend = viewer_client.get(f"{DATA}trend.json").json()["spec"]
    assert [point["value"] for point in trend["data"]["values"]] == [53]
    needs = viewer_client.get(f"{DATA}needs.json?area=NG008001").json()["spec"]
    assert [row["share"] for row in needs["data"]["values"]] == [1.0]
    assert viewer_client.get(f"{DATA}pyramid.json?area=NOPE").status_code == 404
    assert viewer_client.get(f"{DATA}nothing.json").status_code == 404


def test_csv_follows_the_map_and_escapes_formulas(published, viewer_client, borno):
    borno[1][0].name = "=HYPERLINK(1)"
    borno[1][0].save()
    response = viewer_client.get(f"{DATA}table.csv?level=2&parent=NG008")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1] == "NG008001,'=HYPERLINK(1),NG008,50,10"
    assert lines[2] == "NG008002,Askira/Uba,NG008,3,1"


def test_public_view_is_404_unless_the_operation_allows_it(published, client):
    assert client.get("/public/nga-ne/").status_code == 404
    assert client.get(f"{PUBLIC}headlines.json").status_code == 404


def test_public_view_signed_out_blanks_small_counts(published, public, client):
    page = client.get("/public/nga-ne/")
    assert page.status_code == 200
    assert "restricted-panel" not in page.content.decode()
    areas = client.get(f"{PUBLIC}areas.json?level=2&parent=NG008").json()
    assert [feature["properties"]["idps"] for feature in areas["features"]] == [None, None]
    assert all(feature["properties"]["blanked"] for feature in areas["features"])
    assert client.get(f"{PUBLIC}restricted.json").status_code == 404
    lines = b"".join(client.get(f"{PUBLIC}table.csv?level=2&parent=NG008").streaming_content)
    assert b"NG008002,Askira/Uba,NG008,blanked," in lines


def test_public_dashboard_set_in_the_settings_and_audited(admin_user, client, operation):
    client.force_login(admin_user)
    form = {
        "name": operation.name,
        "admin_level_names": ", ".join(operation.admin_level_names),
        "default_language": "en",
        "suppression_threshold": 5,
        "public_dashboard": "on",
    }
    assert client.post("/ops/nga-ne/settings/", form).status_code == 302
    operation.refresh_from_db()
    assert operation.public_dashboard is True
    event = AuditEvent.objects.get(object_type="accounts.operation", action="update")
    assert event.after == {"public_dashboard": True}


def test_area_part_queries_do_not_grow_with_areas(
    published, viewer_client, borno, operation, no_cache, django_assert_max_num_queries
):
    def add_rows(numbers):
        for number in numbers:
            BoundedAreaFactory(
                operation=operation, level=2, pcode=f"NG0089{number:02d}", parent=borno[0]
            )

    url = f"{DATA}areas.json?level=2&parent=NG008"
    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, viewer_client, url, add_rows, ceiling=12
    )
    assert len(body["features"]) == 33


def test_site_part_queries_do_not_grow_with_sites(
    published, viewer_client, borno, operation, no_cache, django_assert_max_num_queries
):
    revision = RoundRevision.objects.get(round=published, status="published")
    idps = Indicator.objects.get(code="idp_individuals", operation=None)
    lga = borno[1][0]

    def add_rows(numbers):
        for number in numbers:
            site = SiteFactory(admin_area=lga, code=f"X{number}", latitude=12.0, longitude=13.0)
            Figure.objects.create(
                revision=revision, indicator=idps, admin_area=lga, site=site, value=number + 5
            )

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, viewer_client, f"{DATA}sites.json", add_rows, ceiling=12
    )
    assert (
        len(body["features"])
        == 31 + Site.objects.filter(code__in=["S1", "S2"], latitude__isnull=False).count()
    )


@pytest.mark.parametrize("part", ["headlines", "trend", "pyramid", "needs"])
def test_chart_parts_queries_bounded(
    published, viewer_client, no_cache, part, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        assert viewer_client.get(f"{DATA}{part}.json").status_code == 200
