"""The dashboard in a real browser, over the demo's Borno rounds (one site per LGA): headline
numbers as the selectors compute them, the table following the map, the round picker, the
restricted panel for protection roles only, the public view signed out, and the page weight."""

import pytest

from opendtm.accounts.models import User
from opendtm.tracking.demo import demo_tracking_load
from opendtm.tracking.selectors import dashboard

pytestmark = pytest.mark.browser

KB = 1024


@pytest.fixture
def rounds(demo):
    """The demo's six rounds of Borno, a site per LGA; returns the published site rounds."""
    demo_tracking_load(operation=demo, admin=User.objects.get(username="admin"), sites_per_lga=1)
    return [
        item for item in dashboard.dashboard_rounds(operation=demo) if item.assessment_type == "SA"
    ]


def expected_cards(user, operation, round):
    reader = dashboard.member_reader(user=user, operation=operation)
    return {card.code: card.value for card in dashboard.headlines(reader, round)}


def ready(web):
    web.page.wait_for_function("document.getElementById('dashboard').dataset.ready === 'true'")


def shown_cards(web) -> dict[str, str]:
    return web.page.eval_on_selector_all(
        "[data-card]",
        "cards => Object.fromEntries(cards.map(card => [card.dataset.card, card.querySelector('[data-value]').dataset.value]))",
    )


def test_dashboard_numbers_map_table_and_rounds(web, demo, rounds):
    viewer = User.objects.get(username="viewer")
    latest, earlier = rounds[-1], rounds[-2]
    web.sign_in("viewer")
    web.open(f"/ops/{demo.slug}/dashboard/?round=SA-{latest.number}")
    ready(web)
    expected = expected_cards(viewer, demo, latest)
    assert {code: float(value) for code, value in shown_cards(web).items()} == expected
    assert web.page.locator("#dashboard-map path.leaflet-interactive").count() >= 1
    assert web.page.locator(".chart[data-drawn=chart] svg.marks").count() == 3
    assert web.page.locator(".vega-embed details").count() == 3  # the PNG/SVG export menus
    assert web.page.locator("#restricted-panel").count() == 0
    web.shot("1-dashboard")

    # A state clicked on the map: the table lists its LGAs.
    states = int(web.page.get_attribute("#dashboard", "data-table-rows"))
    web.page.locator("#dashboard-map path.area-NG008").click()
    web.page.wait_for_function("document.getElementById('dashboard').dataset.mapLevel === '2'")
    pcodes = web.page.eval_on_selector_all(
        "#area-table tbody tr", "rows => rows.map(r => r.dataset.pcode)"
    )
    parent = web.page.get_attribute("#dashboard", "data-map-parent")
    assert parent == "NG008"
    assert len(pcodes) == 27
    assert all(pcode.startswith("NG008") for pcode in pcodes)
    assert states > 1  # from every state to Borno's LGAs
    assert f"parent={parent}" in web.page.get_attribute("#table-csv", "href")
    web.shot("2-state-clicked")

    # Another round picked: the numbers change to that round's.
    web.page.select_option("[data-round-picker] select", label=None, index=1)
    web.page.wait_for_load_state("networkidle")
    ready(web)
    picked = web.page.get_attribute("#dashboard", "data-round")
    number = int(picked.split("-")[1])
    round = next(
        item
        for item in dashboard.dashboard_rounds(operation=demo)
        if f"{item.assessment_type}-{item.number}" == picked
    )
    shown = {code: float(value) for code, value in shown_cards(web).items() if value}
    assert shown == {
        code: value
        for code, value in expected_cards(viewer, demo, round).items()
        if value is not None
    }
    assert (
        shown != {code: value for code, value in expected.items() if value is not None}
        or number == latest.number
    )
    assert earlier  # six rounds: there is one to go back to
    web.shot("3-round-switched")


def test_a_viewer_gets_no_restricted_panel_even_through_its_endpoint(web, demo, rounds):
    latest = rounds[-1]
    web.sign_in("viewer")
    web.open(f"/ops/{demo.slug}/dashboard/")
    ready(web)
    assert web.page.locator("#restricted-panel").count() == 0
    url = f"{web.base_url}/ops/{demo.slug}/dashboard/SA/{latest.number}/restricted.json"
    status = web.page.evaluate("url => fetch(url).then(r => r.status)", url)
    web.problems.clear()  # the refusal is the expected answer, not a fault of the page
    assert status == 403
    web.shot("viewer")


def test_a_protection_officer_sees_the_restricted_panel(web, demo, rounds):
    web.sign_in("protection")
    web.open(f"/ops/{demo.slug}/dashboard/")
    ready(web)
    assert web.page.locator("#restricted-table tbody tr").count() >= 1
    web.shot("protection")


def test_public_view_signed_out(web, demo, rounds):
    demo.public_dashboard = True
    demo.save(update_fields=["public_dashboard"])
    latest = rounds[-1]
    web.open(f"/public/{demo.slug}/rounds/SA/{latest.number}/")
    ready(web)
    assert "/login/" not in web.page.url
    assert web.page.locator("[data-card=idp_individuals]").count() == 1
    assert web.page.locator("#restricted-panel").count() == 0
    assert web.page.locator("#dashboard-map path.leaflet-interactive").count() >= 1
    web.shot("public")


def test_page_weight_first_and_repeat_visit(web, demo, rounds):
    """Bytes on the wire, as the browser counts them: first load without the vendored
    libraries under 1 MB, a repeat visit (everything revalidated) under 300 KB."""
    web.sign_in("viewer")
    session = web.page.context.new_cdp_session(web.page)
    session.send("Network.enable")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    session.on(
        "Network.requestWillBeSent",
        lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]),
    )
    session.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )

    def measured(count_vendor: bool) -> int:
        urls.clear()
        sizes.clear()
        web.open(f"/ops/{demo.slug}/dashboard/")
        ready(web)
        web.page.wait_for_load_state("networkidle")
        return sum(
            size
            for request, size in sizes.items()
            if count_vendor or "/static/vendor/" not in urls.get(request, "")
        )

    first = measured(count_vendor=False)
    repeat = measured(count_vendor=True)
    assert first < 1024 * KB
    assert repeat < 300 * KB
