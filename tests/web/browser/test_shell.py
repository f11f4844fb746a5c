"""The web shell in a real browser, on the demo's real Nigeria boundaries."""

import pytest

from opendtm.geo.models import Site

pytestmark = pytest.mark.browser


def test_sign_in_and_overview(web, demo):
    web.sign_in()
    web.shot("1-home")
    assert "Nigeria North-East (demo)" in web.page.inner_text("main")
    web.page.click("main >> text=Nigeria North-East (demo)")
    web.page.wait_for_load_state("networkidle")
    web.shot("2-overview")
    assert web.page.inner_text('[data-level="1"]') == "37"
    assert web.page.inner_text('[data-level="2"]') == "774"


def test_areas_tree_and_map(web, demo):
    web.sign_in()
    web.open(f"/ops/{demo.slug}/areas/")
    map_element = web.page.locator("#map")
    map_element.locator("path.leaflet-interactive").first.wait_for()
    assert map_element.get_attribute("data-shown-count") == "37"
    assert web.page.locator("#map path.leaflet-interactive").count() == 37
    web.shot("1-states")
    web.page.click("summary:has-text('Nigeria') >> span.muted")
    web.page.locator("text=Borno").first.wait_for()
    assert web.page.locator(".tree a:has-text('Borno')").count() == 1
    web.open(f"/ops/{demo.slug}/areas/NG008/")
    web.page.wait_for_function("document.querySelector('#map').dataset.shownCount === '27'")
    assert web.page.locator("#map path.leaflet-interactive").count() == 28  # 27 LGAs + outline
    assert "Maiduguri" in web.page.inner_text("main")
    web.shot("2-borno-lgas")


def test_sites_table_filter_and_map(web, demo):
    web.sign_in("datamanager")
    web.open(f"/ops/{demo.slug}/sites/")
    web.page.wait_for_function("Number(document.querySelector('#map').dataset.siteCount) > 100")
    total = int(web.page.get_attribute("[data-count]", "data-count"))
    assert total == Site.objects.filter(operation=demo).count() > 100
    web.shot("1-sites")
    web.page.select_option("select[name=type]", "host_community")
    web.page.wait_for_function(
        f"document.querySelector('[data-count]').dataset.count !== '{total}'"
    )
    assert "Host community" in web.page.inner_text("#site-table")
    assert "Camp" not in web.page.inner_text("#site-table tbody td:nth-child(3)")
    web.shot("2-host-communities")
    web.open(f"/ops/{demo.slug}/sites/NG008021-X02/")
    assert "outside its admin area" in web.page.inner_text("main")
    web.page.locator("#map path.leaflet-interactive").first.wait_for()
    web.shot("3-site-outside-area")


def test_matches_members_and_audit(web, demo):
    web.sign_in()
    web.open(f"/ops/{demo.slug}/sites/matches/")
    assert "Maiduguri M.C." in web.page.inner_text("main")
    web.shot("1-matches")
    web.page.click("button[value=accept]")
    web.page.wait_for_load_state("networkidle")
    assert "Nothing to confirm" in web.page.inner_text("main")
    web.open(f"/ops/{demo.slug}/members/")
    assert "datamanager" in web.page.inner_text("main")
    web.shot("2-members")
    web.open(f"/ops/{demo.slug}/audit/")
    assert "geo.sitearea" in web.page.inner_text("main")
    web.shot("3-audit")


def test_a_viewer_sees_no_sites_tab(web, demo):
    web.sign_in("viewer")
    web.open(f"/ops/{demo.slug}/")
    tabs = web.page.inner_text("nav.tabs")
    assert "Admin areas" in tabs
    assert "Sites" not in tabs
    assert "Audit" not in tabs
    web.shot("1-viewer")


@pytest.mark.parametrize(("language", "heading"), [("fr", "Zones administratives"), ("ar", None)])
def test_languages_and_right_to_left(web, demo, language, heading):
    web.sign_in()
    web.page.click("[data-menu=language] summary")
    web.page.click(f"button[value={language}]")
    web.page.wait_for_load_state("networkidle")
    web.open(f"/ops/{demo.slug}/areas/")
    web.page.locator("#map path.leaflet-interactive").first.wait_for()
    direction = web.page.get_attribute("html", "dir")
    assert direction == ("rtl" if language == "ar" else "ltr")
    if heading:
        assert heading in web.page.inner_text("main")
    overflow = web.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px in {language}"
    web.shot(f"1-areas-{language}")
