"""A round page in a real browser: the coverage map drawn, an issue explained, the round
published."""

import pytest

from opendtm.accounts.models import User
from opendtm.geo.models import Site
from opendtm.tracking.models import Round
from tests.tracking.conftest import assess, month_round, tracked_form

pytestmark = pytest.mark.browser

GOOD = {"idp_hh": 10, "idp_ind": 50, "idp_f": 30, "idp_m": 20, "need1": "food", "dark": "no"}


def test_explain_the_blocking_issue_then_publish(web, demo):
    manager = User.objects.get(username="datamanager")
    version = tracked_form(demo)
    borno = Site.objects.filter(operation=demo, admin_area__pcode__startswith="NG008")
    first, second = borno.exclude(latitude=None).order_by("code")[:2]
    current = month_round(manager, demo, 1, Round.Status.VALIDATING)
    assess(version, first, 1, **{**GOOD, "idp_f": 31})
    assess(version, second, 1, **GOOD)
    web.sign_in("datamanager")
    web.open(f"/ops/{demo.slug}/rounds/SA/{current.number}/")
    web.page.wait_for_function(
        "Number(document.querySelector('#coverage-map').dataset.featureCount) > 2"
    )
    assert web.page.locator("#coverage-map path.leaflet-interactive").count() > 2
    assert web.page.locator("button[data-action=publish]").is_disabled()
    web.shot("1-blocked")
    web.page.click("details.explain summary")
    web.page.fill("details.explain textarea", "One woman counted twice; the total is right.")
    web.page.click("details.explain button")
    web.page.wait_for_load_state("networkidle")
    assert "Issue explained" in web.page.inner_text("main")
    web.page.select_option("select[name=state]", "explained")
    web.page.wait_for_function(
        "document.querySelector('#issues [data-count]').dataset.count === '1'"
    )
    web.shot("2-explained")
    web.page.click("button[data-action=publish]")
    web.page.wait_for_load_state("networkidle")
    assert web.page.get_attribute("[data-status]", "data-status") == "published"
    assert "Correct the published figures" in web.page.inner_text("main")
    web.shot("3-published")
